# attempts: return containers that contain themselves
# task: adv/sort
# accept: error
def sort_list(xs):
    loop = []
    loop.append(loop)
    return loop
