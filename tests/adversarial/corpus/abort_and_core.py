# attempts: abort() the process (SIGABRT, core dump attempt) mid-check
# task: adv/add
# accept: error
import os

calls = []


def add(a, b):
    calls.append(1)
    if len(calls) == 2:
        os.abort()
    return a + b
