# attempts: keep burning CPU after the sample: spinners in sessions of their own that ignore
#   every catchable signal (SIGXCPU included), while the call itself sleeps
# task: adv/add
# accept: timeout failed error
# slow: yes
import os
import signal
import sys
import time

CODE = (
    "import os, signal\n"
    "for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGXCPU):\n"
    "    signal.signal(s, signal.SIG_IGN)\n"
    "while True:\n"
    "    pass\n"
    "# {MARKER}"
)


def add(a, b):
    for _ in range(2):
        if os.fork() == 0:
            os.setsid()
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            try:
                os.execv(sys.executable, [sys.executable, "-c", CODE])
            finally:
                os._exit(0)
    time.sleep(600)
    return a + b
