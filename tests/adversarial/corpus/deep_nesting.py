# attempts: return a list nested 100,000 deep
# task: adv/sort
# accept: error
def sort_list(xs):
    value = []
    for _ in range(100_000):
        value = [value]
    return value
