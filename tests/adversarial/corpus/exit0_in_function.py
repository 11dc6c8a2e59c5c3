# attempts: sys.exit(0) inside the function under test
# task: adv/add
# accept: error
import sys


def add(a, b):
    sys.exit(0)
