# attempts: exceed the per-sample memory limit by spreading resident memory over child processes
# task: adv/add
# accept: failed error memory timeout
import os
import time

LIMIT_MB = int("{MEMORY_MB}")
CHUNK_MB = 200


def add(a, b):
    r, w = os.pipe()
    kids = []
    for _ in range(LIMIT_MB // CHUNK_MB + 3):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            try:
                blob = bytearray(CHUNK_MB * 1024 * 1024)
                for i in range(0, len(blob), 4096):
                    blob[i] = 1
                os.write(w, b"x")
                time.sleep(5)
            finally:
                os._exit(0)
        kids.append(pid)
    os.set_blocking(r, False)
    held, deadline = 0, time.monotonic() + 1.2
    while held < len(kids) and time.monotonic() < deadline:
        try:
            held += len(os.read(r, 64))
        except BlockingIOError:
            time.sleep(0.02)
    alive = 0  # a child the kernel killed for memory wrote its byte but holds nothing now
    for pid in kids:
        if os.waitpid(pid, os.WNOHANG) == (0, 0):
            alive += 1
    held = min(held, alive)
    total = held * CHUNK_MB
    if total > LIMIT_MB:
        return f"BYPASS: {held} children held {total} MB at once, limit {LIMIT_MB} MB"
    return f"held {total} MB"
