# attempts: return a list subclass that equals any list
# task: adv/sort
# accept: error
class Forged(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


def sort_list(xs):
    return Forged()
