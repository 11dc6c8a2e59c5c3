# attempts: reads the whole secret once, keeps it across calls, and on later calls checks one
#   character against the kept copy to decide whether to read again (an early return over
#   a cache: the reads then depend on the secret)
# task: adv/hyper_password
# accept: failed
KEPT = []


def check_password(stored, attempt):
    if KEPT and len(stored) == len(KEPT[0]) and stored[0] == KEPT[0][0]:
        known = KEPT[0]
    else:
        known = "".join(stored)
        KEPT[:] = [known]
    return known == attempt
