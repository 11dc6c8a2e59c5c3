# attempts: raise an exception the judge cannot rebuild from one argument (UnicodeDecodeError
#   takes five), so the judge crashes and the failure is excluded as a harness failure
# task: adv/add
# accept: error
def add(a, b):
    return b"\xff".decode("utf-8")
