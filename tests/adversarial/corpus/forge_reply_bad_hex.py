# attempts: write a reply on the answer channel whose bytes value is not hexadecimal, which once
#   made the trusted judge's decoder raise and the sample count as a harness failure
# task: adv/add
# accept: error
import os


def add(a, b):
    os.write(4, b'{"id": 1, "ok": {"b": "zz"}}\n')
    return a + b
