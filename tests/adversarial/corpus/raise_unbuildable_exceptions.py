# attempts: raise exceptions whose class needs several or keyword-only arguments (OSError with
#   errno and filename, KeyError of a tuple, user classes with required keyword arguments, a
#   raising __str__ or __init__, arguments that are not plain data) to crash the judge into infra
# task: adv/add
# accept: error
class NeedsKeywords(UnicodeError):
    def __init__(self, *, code, where):
        super().__init__(code, where, "extra")


class Unprintable(LookupError):
    def __init__(self, value):
        if value != "once":
            raise RuntimeError("no second construction")
        super().__init__(add)

    def __str__(self):
        raise RuntimeError("no message")


def add(a, b):
    if a == 1:
        raise OSError(2, "No such file or directory", "missing.txt", 0, "other.txt")
    if a == -4:
        raise KeyError(("key", 1))
    if a == 10**12:
        raise NeedsKeywords(code=3, where=b"\x00")
    raise Unprintable("once")
