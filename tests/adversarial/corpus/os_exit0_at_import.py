# attempts: os._exit(0) while the program loads, after flushing a fake success line
# task: adv/add
# accept: error
import os

os.write(1, b"passed\n")
os._exit(0)
