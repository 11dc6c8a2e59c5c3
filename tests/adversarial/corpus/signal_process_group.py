# attempts: signal processes outside the sandbox through our process group and session (harmless
#   SIGWINCH)
# task: adv/add
# accept: failed error
import os
import signal

VICTIM = int("{VICTIM_PID}")


def add(a, b):
    delivered = []
    for label, send in (
        ("group", lambda: os.kill(0, signal.SIGWINCH)),
        ("killpg", lambda: os.killpg(os.getpgrp(), signal.SIGWINCH)),
        ("all", lambda: os.kill(-1, signal.SIGWINCH)),
        ("victim", lambda: os.kill(VICTIM, signal.SIGWINCH)),
        ("sid", lambda: os.killpg(os.getsid(0), signal.SIGWINCH)),
    ):
        try:
            send()
            delivered.append(label)
        except OSError:
            pass
    return f"pgid={os.getpgrp()} sid={os.getsid(0)} sent={','.join(delivered)}"
