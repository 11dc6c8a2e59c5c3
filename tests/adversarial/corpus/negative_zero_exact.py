# attempts: pass an exact oracle with -0.0 where 0.0 is expected (a classic absolute-value bug:
#   -0.0 >= 0 is true), relying on 0.0 == -0.0
# task: adv/diff_abs
# accept: failed
def absolute(x):
    return x if x >= 0 else -x
