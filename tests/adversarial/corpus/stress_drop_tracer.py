# attempts: a racy counter that removes the driver's scheduler (sys.settrace(None)) in each
#   call, so that no yield ever interrupts its unprotected update
# task: adv/stress_counter
# accept: failed
import sys


class Counter:
    def __init__(self, start):
        self._n = start

    def add(self, amount):
        sys.settrace(None)
        self._n += amount

    def value(self):
        sys.settrace(None)
        return self._n
