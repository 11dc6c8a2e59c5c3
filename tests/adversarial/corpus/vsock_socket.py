# attempts: open sockets of families other than AF_UNIX, through the socket module and the
#   raw system call: AF_VSOCK (reaches the hypervisor and other VMs, no network namespace
#   covers it), AF_NETLINK, AF_PACKET, AF_INET, AF_ALG
# task: adv/add
# accept: failed error
import ctypes
import os
import platform
import socket

NR = {"x86_64": 41, "aarch64": 198}[platform.machine()]
FAMILIES = {"AF_VSOCK": 40, "AF_NETLINK": 16, "AF_PACKET": 17, "AF_INET": 2, "AF_ALG": 38}
libc = ctypes.CDLL(None, use_errno=True)


def add(a, b):
    found = []
    for name, family in FAMILIES.items():
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_RAW, socket.SOCK_SEQPACKET):
            fd = libc.syscall(NR, family, kind, 0)
            if fd >= 0:
                os.close(fd)
                found.append(f"BYPASS: raw socket({name}, {kind})")
            try:
                socket.socket(family, kind).close()
                found.append(f"BYPASS: socket.socket({name}, {kind})")
            except OSError:
                pass
    return "; ".join(found) or a - b
