# attempts: fill the disk: one huge file, then many files, in the working directory and /tmp
# task: adv/add
# accept: failed error timeout
import os

DISK_MB = int("{DISK_MB}")


def add(a, b):
    written = 0
    block = b"\0" * (1 << 20)
    for base in (".", "/tmp", os.path.expanduser("~")):
        try:
            with open(os.path.join(base, "big.bin"), "wb") as fh:
                while True:
                    fh.write(block)
                    written += len(block)
        except OSError:
            pass
        for i in range(100_000):
            try:
                with open(os.path.join(base, f"f{i}"), "wb") as fh:
                    fh.write(block)
                    written += len(block)
            except OSError:
                break
    if written > 3 * DISK_MB * (1 << 20):
        return f"BYPASS: wrote {written >> 20} MB, disk limit {DISK_MB} MB"
    return f"wrote {written >> 20} MB"
