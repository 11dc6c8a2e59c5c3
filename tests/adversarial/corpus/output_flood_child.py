# attempts: flood output from a marked child process that outlives the call
# task: adv/add
# accept: error timeout failed
import subprocess
import sys

FLOOD = "import os\nwhile True:\n    os.write(1, b'y' * 65536)\n# {MARKER}"


def add(a, b):
    subprocess.Popen([sys.executable, "-c", FLOOD], start_new_session=True)
    return 0
