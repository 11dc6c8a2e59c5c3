# attempts: enter a nested user namespace (raw unshare(CLONE_NEWUSER), and clone with
#   namespace flags) to regain every capability over new namespaces and mounts
# task: adv/add
# accept: failed error
import ctypes
import os
import platform

NR = {"x86_64": (272, 56), "aarch64": (97, 220)}[platform.machine()]  # unshare, clone
CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET, SIGCHLD = 0x10000000, 0x20000, 0x40000000, 17
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def add(a, b):
    found = []
    for flags in (CLONE_NEWUSER, CLONE_NEWUSER | CLONE_NEWNS, CLONE_NEWNET):
        pid = libc.syscall(NR[1], flags | SIGCHLD, 0, 0, 0, 0)  # fork into new namespaces
        if pid == 0:
            os._exit(0)
        if pid > 0:
            os.waitpid(pid, 0)
            found.append(f"BYPASS: clone({flags:#x})")
    if libc.syscall(NR[0], CLONE_NEWUSER) == 0:
        found.append("BYPASS: unshare(CLONE_NEWUSER)")
    return "; ".join(found) or a - b
