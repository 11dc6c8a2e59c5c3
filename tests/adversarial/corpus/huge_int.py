# attempts: return an int too long for str(), to break the runner's encoder and get a harness
#   failure
# task: adv/add
# accept: failed error
def add(a, b):
    return 10**5000
