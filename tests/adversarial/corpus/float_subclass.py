# attempts: a float subclass whose arithmetic always returns 0.0, so abs(answer - expected) is tiny
# task: adv/mean
# accept: error
class Zero(float):
    def __sub__(self, other):
        return 0.0

    def __rsub__(self, other):
        return 0.0

    def __abs__(self):
        return 0.0


def mean(xs):
    return Zero(123.0)
