# attempts: answer with a value nested exactly to the channel's depth limit, which the test then
#   sends back as an argument, so encoding the test's own call fails and is blamed on the task
# task: adv/roundtrip
# accept: failed error
def wrap(x):
    if x == 0:
        for _ in range(100):
            x = [x]
        return x
    return [x]
