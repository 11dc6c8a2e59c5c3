# attempts: raise GeneratorExit from the function (a BaseException that generators treat specially)
# task: adv/squares
# accept: error failed
def square(x):
    raise GeneratorExit
