# attempts: raise an exception whose str() itself raises, to break the runner and get a harness
#   (infra) verdict
# task: adv/add
# accept: error
class Weird(Exception):
    def __str__(self):
        raise RuntimeError("no message for you")


def add(a, b):
    raise Weird()
