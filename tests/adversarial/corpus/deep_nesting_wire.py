# attempts: write a reply nested 200,000 deep straight onto the result channel
# task: adv/sort
# accept: error failed timeout
import os
import time


def sort_list(xs):
    os.write(4, b'{"id": 1, "ok": ' + b"[" * 200_000 + b"]" * 200_000 + b"}\n")
    time.sleep(10)
