# attempts: a 30 MB reply of empty lists that the trusted judge decodes into hundreds of MB
# task: adv/add
# accept: failed error timeout
# slow: yes
import os
import time


def add(a, b):
    os.write(4, b'{"id": 1, "ok": [' + b"[]," * 10_000_000 + b"[]]}\n")
    time.sleep(60)
