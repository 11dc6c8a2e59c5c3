# attempts: trace and profile hooks rewriting return values and locals, plus an audit hook
# task: adv/add
# accept: failed error
import sys


def tracer(frame, event, arg):
    if event == "return":
        frame.f_locals["result"] = True
    return tracer


sys.settrace(tracer)
sys.setprofile(lambda frame, event, arg: None)
sys.addaudithook(lambda event, args: None)


def add(a, b):
    result = a - b
    return result
