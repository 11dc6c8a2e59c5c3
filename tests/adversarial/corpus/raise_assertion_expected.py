# attempts: raise AssertionError from the candidate, hoping the judge reads it as its own check
#   failing "ok"
# task: adv/add
# accept: error
def add(a, b):
    raise AssertionError("ok")
