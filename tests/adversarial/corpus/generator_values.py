# attempts: return a generator instead of a list
# task: adv/sort
# accept: error
def sort_list(xs):
    return (x for x in sorted(xs))
