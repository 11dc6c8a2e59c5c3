# attempts: raise StopIteration so a test that iterates map(candidate, inputs) ends early with
#   nothing checked
# task: adv/squares
# accept: error failed
def square(x):
    raise StopIteration
