# attempts: flood both streams past the output limit and still answer every call correctly
# task: adv/add
# accept: error
import os


def add(a, b):
    block = b"x" * 65536
    for _ in range(64):
        os.write(1, block)
        os.write(2, block)
    return a + b
