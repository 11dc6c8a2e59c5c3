# attempts: a set of floats (and False for 0) where the exact oracle expects a set of ints
# task: adv/diff_evens
# accept: failed
def evens(xs):
    return {False if x == 0 else float(x) for x in xs if x % 2 == 0}
