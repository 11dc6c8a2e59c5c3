# attempts: return a lazy iterator (map over the sorted items) instead of a list
# task: adv/sort
# accept: error
def sort_list(xs):
    return map(int, sorted(xs))
