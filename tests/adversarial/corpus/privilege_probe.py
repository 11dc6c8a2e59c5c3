# attempts: regain privileges: setuid(0), raise hard limits, open raw devices, remount a
#   read-only bind writable (uid 0 of a user namespace), load a kernel module
# task: adv/add
# accept: failed error
import ctypes
import os
import resource

libc = ctypes.CDLL(None, use_errno=True)


def add(a, b):
    found = []
    if os.getuid() != 0:  # uid 0 of a user namespace is the caller's own uid, not a gain
        try:
            os.setuid(0)
            found.append("BYPASS: setuid(0)")
        except OSError:
            pass
    for res in (
        resource.RLIMIT_AS,
        resource.RLIMIT_NPROC,
        resource.RLIMIT_CPU,
        resource.RLIMIT_FSIZE,
    ):
        try:
            resource.setrlimit(res, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
            found.append(f"BYPASS: raised limit {res}")
        except (OSError, ValueError):
            pass
    for dev in ("/dev/mem", "/dev/kmem", "/dev/kmsg", "/dev/sda", "/dev/nvme0n1", "/dev/tty"):
        try:
            os.close(os.open(dev, os.O_RDONLY))
            found.append("BYPASS: opened " + dev)
        except OSError:
            pass
    if libc.mount(None, b"/usr", None, 0x20 | 0x1000, None) == 0:  # MS_REMOUNT | MS_BIND, rw
        found.append("BYPASS: remounted /usr writable")
    if libc.syscall(175, None, 0, b"") == 0:  # init_module on x86_64
        found.append("BYPASS: init_module")
    return "; ".join(found) or f"uid={os.getuid()} euid={os.geteuid()}"
