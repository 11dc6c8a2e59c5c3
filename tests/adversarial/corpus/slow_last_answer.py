# attempts: answer fast and right until the last call, then hang (while holding SIGTERM off)
# task: adv/add
# accept: timeout
import signal
import time

calls = []


def add(a, b):
    calls.append(1)
    if len(calls) == 4:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(3600)
    return a + b
