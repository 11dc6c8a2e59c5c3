# attempts: find what an earlier sample left in /dev/shm (POSIX shared memory, semaphores)
# task: adv/add
# accept: failed error
import os

MARKER = "{MARKER}"


def add(a, b):
    try:
        left = [n for n in os.listdir("/dev/shm") if n.startswith(MARKER)]
    except OSError as exc:
        return f"no /dev/shm: {exc}"
    if left:
        return f"LEAKED: {len(left)} files of an earlier sample survive in /dev/shm"
    return "clean"
