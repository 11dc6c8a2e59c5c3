# attempts: leave memory charged to the next sample: fill the working directory (tmpfs pages)
#   and hold most of the memory limit in children that are still exiting when the sample ends
# task: adv/add
# accept: failed memory error timeout
import os

LIMIT_MB = int("{MEMORY_MB}")
DISK_MB = int("{DISK_MB}")


def add(a, b):
    with open("fill", "wb") as fh:
        for _ in range(DISK_MB - 2):
            fh.write(b"x" * (1 << 20))
    r, w = os.pipe()
    for _ in range(2):
        if os.fork() == 0:
            blob = bytearray((LIMIT_MB * 2 // 5) * 1024 * 1024)
            for i in range(0, len(blob), 4096):
                blob[i] = 1
            os.write(w, b"x")
            while True:
                pass
    got = 0
    while got < 2:
        got += len(os.read(r, 2))
    return a - b
