# attempts: values equal under == but of other types (floats for ints) against an exact oracle
# task: adv/diff_sort
# accept: failed
def sort_desc(xs):
    return [float(x) for x in sorted(xs, reverse=True)]
