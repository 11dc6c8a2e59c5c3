# attempts: crash the interpreter at C level (a read from address 8 through ctypes)
# task: adv/add
# accept: error
import ctypes


def add(a, b):
    return ctypes.c_char.from_address(8).value
