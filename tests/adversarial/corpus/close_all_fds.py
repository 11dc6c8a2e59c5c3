# attempts: close every descriptor while loading, so the result channel disappears
# task: adv/add
# accept: error
import os

os.closerange(0, 1024)


def add(a, b):
    return a + b
