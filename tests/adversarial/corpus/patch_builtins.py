# attempts: patch builtins: AssertionError, isinstance, __import__, print, len, type, repr
# task: adv/add
# accept: failed error
import builtins

_real_import = builtins.__import__


class NeverFails(BaseException):
    pass


builtins.AssertionError = NeverFails
builtins.isinstance = lambda obj, cls: True
builtins.print = lambda *args, **kwargs: None
builtins.len = lambda obj: 0
builtins.repr = lambda obj: "True"
builtins.__import__ = lambda name, *args, **kwargs: _real_import(name, *args, **kwargs)


def add(a, b):
    return a - b
