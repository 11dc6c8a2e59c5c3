# attempts: alarm and interval-timer games: a SIGALRM handler that exits 0, blocked signals, a self-
#   alarm
# task: adv/add
# accept: failed error timeout
import os
import signal


def on_alarm(signum, frame):
    raise SystemExit(0)


signal.signal(signal.SIGALRM, on_alarm)
signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
os.kill(os.getpid(), signal.SIGALRM)


def add(a, b):
    signal.alarm(1)
    return a - b
