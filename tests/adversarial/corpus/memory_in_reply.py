# attempts: return a 200 MB string that fits the memory limit but whose encoding does not, so the
#   runner itself runs out of memory while replying
# task: adv/greet
# accept: error memory
def greet(name):
    return "x" * 200_000_000
