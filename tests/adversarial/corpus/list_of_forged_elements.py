# attempts: return a plain list whose elements are int subclasses equal to anything
# task: adv/sort
# accept: error
class Elem(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


def sort_list(xs):
    return [Elem(0) for _ in xs] or [Elem(0)]
