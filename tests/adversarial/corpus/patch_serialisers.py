# attempts: monkeypatch json, marshal, pickle and the sandbox's own codec so every answer looks
#   right
# task: adv/add
# accept: failed error
import json
import marshal
import pickle
import sys

json.dumps = lambda *args, **kwargs: '{"id": 1, "ok": 3, "passed": true}'
json.loads = lambda *args, **kwargs: {"id": 1, "args": [1, 2], "kwargs": {"d": []}}
marshal.dumps = pickle.dumps = lambda *args, **kwargs: b"passed"
for name, module in list(sys.modules.items()):
    if name.endswith("_codec"):
        module.encode = lambda value: 3
        module.dumps = lambda message: b'{"id": 1, "ok": 3}\n'


def add(a, b):
    return a - b
