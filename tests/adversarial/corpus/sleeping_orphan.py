# attempts: leave a plain sleeping child behind and answer wrongly
# task: adv/add
# accept: failed
import subprocess

SLEEP = "{SLEEP}"


def add(a, b):
    subprocess.Popen(["/bin/sleep", SLEEP])
    return a - b
