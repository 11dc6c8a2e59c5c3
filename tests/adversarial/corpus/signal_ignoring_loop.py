# attempts: busy loop ignoring SIGTERM, SIGINT, SIGHUP and SIGXCPU, with marked children doing the
#   same
# task: adv/add
# accept: timeout error
import signal
import subprocess
import sys

CHILD = (
    "import signal\n"
    "for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU):\n"
    "    signal.signal(s, signal.SIG_IGN)\n"
    "while True:\n"
    "    pass\n"
    "# {MARKER}"
)


def add(a, b):
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU, signal.SIGALRM):
        signal.signal(s, signal.SIG_IGN)
    for _ in range(2):
        subprocess.Popen([sys.executable, "-c", CHILD], start_new_session=True)
    while True:
        pass
