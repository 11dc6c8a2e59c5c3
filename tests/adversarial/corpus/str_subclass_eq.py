# attempts: return a str subclass that equals any string and claims to be str
# task: adv/greet
# accept: error
class Forged(str):
    __class__ = str

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


def greet(name):
    return Forged("nope")
