# attempts: every answer correct but each call sleeps, so the whole check exceeds the time limit
# task: adv/add
# accept: timeout
import time


def add(a, b):
    time.sleep(0.7)
    return a + b
