# attempts: raise SystemExit(0) from the function under test
# task: adv/add
# accept: error
def add(a, b):
    raise SystemExit(0)
