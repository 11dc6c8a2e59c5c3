# attempts: read the command lines of host processes (an --api-key given on a command line, the
#   bystander's arguments) through /proc, mounted or reachable by a path
# task: adv/add
# accept: failed error
import os

VICTIM = "{VICTIM_PID}"
SLEEP = "{SLEEP}"


def add(a, b):
    reached = []
    for proc in ("/proc", "/old_proc", "/.old/proc", "/host/proc"):
        for pid in ("1", VICTIM):
            try:
                with open(f"{proc}/{pid}/cmdline", "rb") as fh:
                    text = fh.read()
            except OSError:
                continue
            if text:
                reached.append(f"{proc}/{pid}: {text[:60]!r}")
        try:
            pids = [p for p in os.listdir(proc) if p.isdigit()]
        except OSError:
            continue
        if len(pids) > 3:  # more processes than a sample's own: the host's table
            reached.append(f"{proc} lists {len(pids)} processes")
    if reached:
        raise ValueError("LEAKED " + "; ".join(reached)[:300])
    return a - b
