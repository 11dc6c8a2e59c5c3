# attempts: starve the samples of other workers: fork busy loops that each call setsid (one
#   scheduler autogroup each) and carry on spinning, and spin in the answering process too
# task: adv/add
# accept: timeout error
import os
import sys

MARKER = "{MARKER}"


def add(a, b):
    for _ in range(24):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            try:
                os.setsid()
                os.execv(sys.executable, [sys.executable, "-c", "while True: pass", MARKER])
            finally:
                os._exit(0)
    while True:
        pass
