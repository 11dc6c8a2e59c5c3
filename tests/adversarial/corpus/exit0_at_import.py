# attempts: sys.exit(0) while the program loads, before defining anything
# task: adv/add
# accept: error
import sys

sys.exit(0)
