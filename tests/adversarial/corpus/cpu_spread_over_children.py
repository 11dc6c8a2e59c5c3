# attempts: escape the time limit by spreading the work over child processes, each of which
#   stays far below the limit, then answer right: the sample's CPU time is what counts
# task: adv/add
# accept: timeout
import os
import time


def add(a, b):
    kids = []
    for _ in range(8):
        pid = os.fork()
        if pid == 0:
            end = time.process_time() + 0.45
            while time.process_time() < end:
                pass
            os._exit(0)
        kids.append(pid)
    for pid in kids:
        os.waitpid(pid, 0)
    return a + b
