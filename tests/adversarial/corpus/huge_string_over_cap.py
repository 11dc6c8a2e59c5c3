# attempts: return a 40 MB string, beyond the channel's message cap
# task: adv/greet
# accept: error
def greet(name):
    return "x" * 40_000_000
