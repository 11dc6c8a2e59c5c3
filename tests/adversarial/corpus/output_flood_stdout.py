# attempts: flood stdout without end
# task: adv/add
# accept: error timeout
import sys


def add(a, b):
    line = "passed " * 1000 + "\n"
    while True:
        sys.stdout.write(line)
