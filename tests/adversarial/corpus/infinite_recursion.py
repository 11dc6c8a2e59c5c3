# attempts: unbounded Python recursion (RecursionError)
# task: adv/add
# accept: error
def add(a, b):
    return add(a, b) + 1
