# attempts: read data that installed packages keep outside their code: every share/ directory of
#   the interpreter's prefixes and the system's (/usr/share, /usr/local/share), and include/
# task: adv/add
# accept: failed error
import os
import sys

ROOTS = {sys.prefix, sys.base_prefix, sys.exec_prefix, "/usr", "/usr/local"}


def add(a, b):
    reached = []
    for root in sorted(ROOTS):
        for part in ("share", "include"):
            where = os.path.join(root, part)
            try:
                entries = os.listdir(where)
            except OSError:
                continue
            if entries:
                reached.append(f"{where}: {sorted(entries)[:3]}")
    if reached:
        raise ValueError("LEAKED " + "; ".join(reached)[:300])
    return a - b
