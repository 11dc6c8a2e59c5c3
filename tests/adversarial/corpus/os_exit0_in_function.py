# attempts: os._exit(0) inside the function under test
# task: adv/add
# accept: error
import os


def add(a, b):
    os._exit(0)
