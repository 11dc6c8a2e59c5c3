# attempts: kill the parent, the whole process group, every process (kill -1) and a host process by
#   PID
# task: adv/add
# accept: failed error
# requires: full
import os
import signal

VICTIM = int("{VICTIM_PID}")


def add(a, b):
    notes = []
    for pid in (os.getppid(), VICTIM, 1):
        if pid > 1:
            try:
                os.kill(pid, signal.SIGKILL)
                notes.append(f"killed {pid}")
            except OSError as exc:
                notes.append(f"{pid}: {exc.errno}")
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    return " ".join(notes)
