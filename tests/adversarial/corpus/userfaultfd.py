# attempts: open a userfaultfd (raw system call, user-mode faults only, which needs no
#   privilege), the usual tool for winning kernel races
# task: adv/add
# accept: failed error
import ctypes
import os
import platform

NR = {"x86_64": 323, "aarch64": 282}[platform.machine()]
UFFD_USER_MODE_ONLY, O_CLOEXEC = 1, 0o2000000
libc = ctypes.CDLL(None, use_errno=True)


def add(a, b):
    for flags in (UFFD_USER_MODE_ONLY | O_CLOEXEC, O_CLOEXEC):
        fd = libc.syscall(NR, flags)
        if fd >= 0:
            os.close(fd)
            return f"BYPASS: userfaultfd({flags:#x})"
    return a - b
