# attempts: read the task file (tests, reference solutions) by its host path and by searching the
#   tree
# task: adv/add
# accept: failed error
import os

PATH = "{TASKS_PATH}"


def add(a, b):
    found = []
    candidates = [PATH, os.path.basename(PATH), "../" + os.path.basename(PATH)]
    for path in candidates:
        try:
            with open(path) as fh:
                found.append("LEAKED " + path + ": " + fh.read(200))
        except OSError:
            pass
    for top in ("/work", "/tmp", "/home", "/root", "/srv", "/mnt", "/opt", "/var", "/data"):
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = [d for d in dirnames if not d.startswith(".pyenv")]
            for name in filenames:
                if name.endswith((".jsonl", ".jsonl.gz", ".sqlite", ".db")):
                    found.append("LEAKED file " + os.path.join(dirpath, name))
    return "; ".join(found)[:400] if found else "nothing"
