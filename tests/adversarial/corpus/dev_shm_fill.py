# attempts: hold memory outside the address-space limit in POSIX shared memory (/dev/shm, a
#   tmpfs no rlimit counts), past the sample's memory limit, and leave it for the next sample
# task: adv/add
# accept: failed error memory timeout
# requires: full
# then: dev_shm_probe

LIMIT_MB = int("{MEMORY_MB}")
MARKER = "{MARKER}"


def add(a, b):
    held = 0
    block = b"\1" * (1 << 20)
    try:
        for i in range(4 * LIMIT_MB):
            with open(f"/dev/shm/{MARKER}-{i}", "wb") as fh:
                fh.write(block)
            held += 1
    except OSError:
        pass
    if held > LIMIT_MB:
        return f"BYPASS: {held} MB in /dev/shm, limit {LIMIT_MB} MB"
    return f"held {held} MB"
