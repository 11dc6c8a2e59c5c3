# attempts: raise a BaseException named like the harness's own timeout signal
# task: adv/add
# accept: error timeout
JudgeTimeout = type("JudgeTimeout", (BaseException,), {})


def add(a, b):
    raise JudgeTimeout("passed")
