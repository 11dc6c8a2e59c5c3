# attempts: satisfy a test that expects UnicodeDecodeError with a different class of the same
#   name (and one that puts itself into builtins under that name), hoping the judge rebuilds
#   exceptions by name alone
# task: adv/decode
# accept: error failed
import builtins


class UnicodeDecodeError(Exception):
    pass


builtins.UnicodeDecodeError = UnicodeDecodeError


def decode(b):
    if b == b"ok":
        return "ok"
    raise UnicodeDecodeError("utf-8", b, 0, 1, "forged")
