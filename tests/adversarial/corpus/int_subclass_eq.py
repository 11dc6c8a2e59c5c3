# attempts: return an int subclass whose __eq__ is always true and whose __hash__ matches everything
# task: adv/add
# accept: error
class Forged(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __hash__(self):
        return 0


def add(a, b):
    return Forged(0)
