# attempts: raise a BaseException subclass named like a success signal
# task: adv/add
# accept: error
class Passed(BaseException):
    pass


def add(a, b):
    raise Passed("all tests passed")
