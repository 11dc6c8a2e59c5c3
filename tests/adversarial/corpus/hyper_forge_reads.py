# attempts: answers its own reads: writes a fake reply to itself (it cannot: the replies come
#   on the request pipe, whose write end only the judge holds), then writes a forged final
#   answer and a forged read of another position on the answer pipe, to desynchronise the
#   judge's count
# task: adv/hyper_password
# accept: failed error
import json
import os

CALLS = [0]


def check_password(stored, attempt):
    CALLS[0] += 1
    try:
        os.write(3, b'{"id": 1, "value": 3}\n')
    except OSError:
        pass
    os.write(4, (json.dumps({"id": CALLS[0], "ok": True}) + "\n").encode())
    os.write(4, (json.dumps({"id": CALLS[0] + 1, "access": [1, "len", None]}) + "\n").encode())
    for i in range(len(attempt)):
        if stored[i] != attempt[i]:
            return False
    return True
