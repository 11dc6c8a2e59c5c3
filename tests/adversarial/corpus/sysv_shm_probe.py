# attempts: find System V shared memory left by an earlier sample
# task: adv/add
# accept: failed error
import ctypes

KEY_BASE = int("{SHM_KEY}")
libc = ctypes.CDLL(None, use_errno=True)


def add(a, b):
    found = [i for i in range(16) if libc.shmget(KEY_BASE + i, ctypes.c_size_t(0), 0) >= 0]
    if found:
        return f"LEAKED: {len(found)} shared memory segments of an earlier sample survive"
    return "clean"
