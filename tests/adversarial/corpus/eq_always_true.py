# attempts: return an object that equals everything
# task: adv/add
# accept: error
class Anything:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


def add(a, b):
    return Anything()
