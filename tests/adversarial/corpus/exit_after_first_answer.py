# attempts: answer the first call correctly, then exit with status 0 before the remaining checks
# task: adv/add
# accept: error
import os

calls = []


def add(a, b):
    calls.append((a, b))
    if len(calls) > 1:
        os._exit(0)
    return a + b
