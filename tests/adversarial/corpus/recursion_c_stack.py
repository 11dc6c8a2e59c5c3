# attempts: lift the recursion limit and recurse through C (map, list) until the C stack overflows
# task: adv/add
# accept: error memory timeout
import sys

sys.setrecursionlimit(10**8)


def add(a, b):
    return list(map(add, [a], [b]))
