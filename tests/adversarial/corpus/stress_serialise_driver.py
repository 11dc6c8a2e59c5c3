# attempts: a racy counter that patches the stress driver's own captured names (its Thread and
#   Event classes) so that its threads run one after another, never interleaved
# task: adv/stress_counter
# accept: failed
import sys
import threading

driver = sys.modules["codehazard.sandbox._drivers_threads"]


class SerialThread(threading.Thread):
    def start(self):
        self.run()

    def is_alive(self):
        return False


class SetEvent:
    def set(self):
        pass

    def wait(self, timeout=None):
        return True


driver._Thread = SerialThread
driver._Event = SetEvent


class Counter:
    def __init__(self, start):
        self._n = start

    def add(self, amount):
        self._n += amount

    def value(self):
        return self._n
