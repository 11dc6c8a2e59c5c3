# attempts: leave a child in a new session (setsid) behind, detached from every descriptor
# task: adv/add
# accept: failed
import os

SLEEP = "{SLEEP}"


def add(a, b):
    if os.fork() == 0:
        os.setsid()
        null = os.open("/dev/null", os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, 1024)
        try:
            os.execv("/bin/sleep", ["/bin/sleep", SLEEP])
        finally:
            os._exit(0)
    return a - b
