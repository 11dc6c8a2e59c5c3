# attempts: attach with ptrace, read other processes' memory (process_vm_readv, /proc/PID/mem)
# task: adv/add
# accept: failed error
import ctypes
import os

VICTIM = int("{VICTIM_PID}")
PTRACE_ATTACH, PTRACE_SEIZE = 16, 0x4206
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]


class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


def add(a, b):
    found = []
    for pid in {os.getppid(), VICTIM, 1, 2}:
        if pid <= 0 or pid == os.getpid():
            continue
        for request in (PTRACE_SEIZE, PTRACE_ATTACH):
            if libc.ptrace(request, pid, None, None) == 0:
                found.append(f"LEAKED: ptrace {request} on {pid}")
        buf = ctypes.create_string_buffer(64)
        local = IoVec(ctypes.cast(buf, ctypes.c_void_p), 64)
        remote = IoVec(ctypes.c_void_p(0x400000), 64)
        if libc.process_vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0) > 0:
            found.append(f"LEAKED: process_vm_readv {pid}")
        try:
            with open(f"/proc/{pid}/mem", "rb") as fh:
                fh.seek(0x400000)
                fh.read(16)
                found.append(f"LEAKED: /proc/{pid}/mem")
        except (OSError, ValueError):
            pass
    return "; ".join(found) or "no access"
