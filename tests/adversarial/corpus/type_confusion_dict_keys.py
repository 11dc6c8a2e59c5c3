# attempts: dict keys of another type (float for int) where the exact oracle expects int keys
# task: adv/diff_index
# accept: failed
def first_index(xs):
    out = {}
    for i, x in enumerate(xs):
        out.setdefault(float(x), i)
    return out
