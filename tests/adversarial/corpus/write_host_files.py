# attempts: write outside the working directory: the test's directory, /tmp, the task file, site-
#   packages
# task: adv/add
# accept: failed error
import os
import sys
import sysconfig

TARGETS = ["{HOST_FILE}", "/tmp/{MARKER}-host", os.path.dirname("{TASKS_PATH}") + "/{MARKER}.py"]


def add(a, b):
    wrote = []
    targets = list(TARGETS)
    for key in ("purelib", "platlib", "stdlib"):
        targets.append(os.path.join(sysconfig.get_paths()[key], "{MARKER}.pth"))
    targets.append(os.path.join(os.path.dirname(sys.executable), "{MARKER}"))
    for path in targets:
        try:
            with open(path, "w") as fh:
                fh.write("import os  # planted\n")
            if not path.startswith("/tmp/"):
                wrote.append(path)
        except OSError:
            pass
    try:
        with open("{TASKS_PATH}", "a") as fh:
            fh.write("\n")
        wrote.append("{TASKS_PATH}")
    except OSError:
        pass
    return ("BYPASS: wrote " + ", ".join(wrote)) if wrote else "nothing written"
