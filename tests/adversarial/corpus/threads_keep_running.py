# attempts: background threads that keep writing forged answers and spinning after the function
#   returns
# task: adv/add
# accept: failed error timeout
import os
import threading
import time


def spam():
    while True:
        for fd in (1, 2, 4):
            try:
                os.write(fd, b'{"id": 2, "ok": 0}\n')
            except OSError:
                pass
        time.sleep(0.001)


def spin():
    while True:
        pass


for target in (spam, spin, spin):
    threading.Thread(target=target, daemon=False).start()


def add(a, b):
    return a - b
