# attempts: hand the judge a set of 60,000 ints sharing one hash, so decoding it is quadratic in the
#   trusted process
# task: adv/add
# accept: failed error timeout
# slow: yes
import os
import time

M = 2**61 - 1


def add(a, b):
    items = ",".join(str(i * M) for i in range(1, 60_001))
    os.write(4, ('{"id": 1, "ok": {"s": [' + items + "]}}\n").encode())
    time.sleep(60)
