# attempts: open a perf event on itself (raw perf_event_open, software clock, user space only,
#   which paranoid level 2 still allows): side channels and a large kernel surface
# task: adv/add
# accept: failed error
import ctypes
import os
import platform

NR = {"x86_64": 298, "aarch64": 241}[platform.machine()]
PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK = 1, 1
libc = ctypes.CDLL(None, use_errno=True)


def add(a, b):
    attr = (ctypes.c_uint32 * 32)()
    attr[0], attr[1] = PERF_TYPE_SOFTWARE, 128  # type, size (PERF_ATTR_SIZE_VER7 is 128)
    attr[2] = PERF_COUNT_SW_TASK_CLOCK  # config
    attr[10] = (1 << 5) | (1 << 6)  # flags: exclude_kernel, exclude_hv
    fd = libc.syscall(NR, attr, 0, -1, -1, 0)  # this process, any CPU
    if fd >= 0:
        os.close(fd)
        return "BYPASS: perf_event_open"
    return a - b
