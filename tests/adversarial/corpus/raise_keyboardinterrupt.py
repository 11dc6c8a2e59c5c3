# attempts: raise KeyboardInterrupt from the function, as if the user pressed Ctrl-C
# task: adv/add
# accept: error
def add(a, b):
    raise KeyboardInterrupt
