# attempts: flood stderr through the raw descriptor without end
# task: adv/add
# accept: error timeout
import os


def add(a, b):
    block = b"E" * 65536
    while True:
        os.write(2, block)
