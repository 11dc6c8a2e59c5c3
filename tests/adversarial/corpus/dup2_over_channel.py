# attempts: keep a spare copy of the request channel, then dup2 stdout over it (and stderr over
#   stdout) so the runner's own loop fails and the sample is blamed on the harness
# task: adv/add
# accept: failed error timeout
import os

SPARE = os.dup(3)
os.dup2(1, 3)
os.dup2(2, 1)


def add(a, b):
    print('{"id": 1, "ok": 3}', flush=True)
    return a - b
