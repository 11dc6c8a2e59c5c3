# attempts: switch personality to READ_IMPLIES_EXEC (every readable mapping executable) and
#   ADDR_NO_RANDOMIZE (no address-space randomisation for what it executes), raw syscall
# task: adv/add
# accept: failed error
import ctypes
import platform

NR = {"x86_64": 135, "aarch64": 92}[platform.machine()]
READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE = 0x0400000, 0x0040000
libc = ctypes.CDLL(None, use_errno=True)


def add(a, b):
    found = []
    for persona in (READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE):
        libc.syscall(NR, persona)
        if libc.syscall(NR, 0xFFFFFFFF) & persona:  # query the current personality
            found.append(f"BYPASS: personality {persona:#x}")
    return "; ".join(found) or a - b
