# attempts: return a dict subclass equal to anything
# task: adv/count
# accept: error
class Forged(dict):
    def __eq__(self, other):
        return True


def count_chars(s):
    return Forged()
