# attempts: hang in a call that the test wraps in a bare `except:` (a sloppy way to expect an
#   exception), so the judge's timeout is swallowed by the test and the check completes
# task: adv/div
# accept: timeout
def div(a, b):
    if b == 0:
        while True:
            pass
    return a // b
