# attempts: raise exception groups (nested, one holding a BaseException, one subclass with its own
#   constructor) that a one-argument rebuild cannot construct, to crash the judge into infra
# task: adv/add
# accept: error
class Group(ExceptionGroup):
    def __new__(cls, *, items):
        return super().__new__(cls, "custom", items)

    def __init__(self, *, items):
        pass


def add(a, b):
    inner = ExceptionGroup("inner", [ValueError("v"), KeyError(("k", 1))])
    if a == 1:
        raise ExceptionGroup("outer", [inner, TypeError("t")])
    if a == -4:
        raise BaseExceptionGroup("base", [KeyboardInterrupt(), ValueError("x")])
    raise Group(items=[inner])
