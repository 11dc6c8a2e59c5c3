# attempts: hold memory outside the address-space limit in System V shared memory that outlives
#   the sample
# task: adv/add
# accept: failed error memory timeout
# requires: full
# then: sysv_shm_probe
import ctypes

LIMIT_MB = int("{MEMORY_MB}")
CHUNK = 160 * 1024 * 1024
IPC_CREAT = 0o1000
KEY_BASE = int("{SHM_KEY}")

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmdt.argtypes = [ctypes.c_void_p]


def add(a, b):
    held = 0
    for i in range(LIMIT_MB * 1024 * 1024 // CHUNK + 1):
        shmid = libc.shmget(KEY_BASE + i, ctypes.c_size_t(CHUNK), IPC_CREAT | 0o600)
        if shmid < 0:
            break
        addr = libc.shmat(shmid, None, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            break
        ctypes.memset(addr, 1, CHUNK)
        libc.shmdt(ctypes.c_void_p(addr))
        held += CHUNK // (1024 * 1024)
    if held > LIMIT_MB:
        return f"BYPASS: {held} MB of System V shared memory, limit {LIMIT_MB} MB"
    return f"held {held} MB"
