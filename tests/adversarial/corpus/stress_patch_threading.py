# attempts: a racy counter that replaces threading.Thread by a serial one, and time.sleep,
#   sys.setswitchinterval, sys.settrace, threading.settrace and random.Random by no-ops, at
#   import, so that the stress driver would run its threads one after another without yields
# task: adv/stress_counter
# accept: failed
import random
import sys
import threading
import time


class SerialThread(threading.Thread):
    def start(self):
        self.run()

    def join(self, timeout=None):
        return None

    def is_alive(self):
        return False


threading.Thread = SerialThread
time.sleep = lambda s: None
sys.setswitchinterval = lambda s: None
sys.settrace = lambda f: None
threading.settrace = lambda f: None
random.Random = lambda *a: type("R", (), {"random": lambda self: 1.0})()


class Counter:
    def __init__(self, start):
        self._n = start

    def add(self, amount):
        self._n += amount

    def value(self):
        return self._n
