# attempts: return a 20 MB string
# task: adv/greet
# accept: failed error
def greet(name):
    return "x" * 20_000_000
