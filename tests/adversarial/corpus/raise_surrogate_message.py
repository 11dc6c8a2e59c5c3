# attempts: raise with a message holding lone surrogates and control bytes, to break the verdict's
#   storage
# task: adv/add
# accept: error
def add(a, b):
    raise ValueError("lone \ud800 and \udc80 surrogates \x1b[2J\x00 text")
