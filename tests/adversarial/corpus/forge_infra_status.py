# attempts: imitate the runner's own crash report and exit code so the sample counts as a harness
#   failure
# task: adv/add
# accept: error
import os

os.write(2, b"codehazard runner: RuntimeError('sandbox broke')\n")
os._exit(70)
