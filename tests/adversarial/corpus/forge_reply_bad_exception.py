# attempts: write exception reports on the answer channel in shapes the judge cannot build (an
#   old two-field UnicodeDecodeError, an empty exception group, fields of the wrong types)
# task: adv/add
# accept: error
import os

REPLIES = [
    b'{"id": 1, "exc": ["UnicodeDecodeError", "forged"]}\n',
    b'{"id": 2, "exc": ["ExceptionGroup", "m", {"base": "ExceptionGroup", "group": ["g", []]}]}\n',
    b'{"id": 3, "exc": [["x"], {"y": 1}, {"base": 7, "args": {"t": [{"zz": 1}]}}]}\n',
    b'{"id": 4, "exc": "not a list"}\n',
]


def add(a, b):
    for reply in REPLIES:
        os.write(4, reply)
    return a + b
