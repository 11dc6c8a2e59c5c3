# attempts: answer a call that the test wraps in a bare `except:` with a value that is not plain
#   data, so the judge's own signal is swallowed by the test and the check completes
# task: adv/div
# accept: error
def div(a, b):
    if b == 0:
        return object()
    return a // b
