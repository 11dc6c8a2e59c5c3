# attempts: classic fork bomb at import, every process a marked interpreter forking forever
# task: adv/add
# accept: timeout error
import os
import sys

BOMB = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
os.execv(sys.executable, [sys.executable, "-c", BOMB + "# {MARKER}"])
