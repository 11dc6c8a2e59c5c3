"""The sandbox: isolation, limits, and the trusted judge of untrusted code.

Model-written code runs in a zygote-forked child inside Linux namespaces (no network, a
read-only root with a private working directory, a PID namespace per sample, an unprivileged
uid, rlimits). A separate trusted judge runs the checker and reaches the candidate only through
a channel of plain data. See ``docs/sandbox.md``.
"""

from codehazard.sandbox._codec import CodecError, decode, encode
from codehazard.sandbox._limits import Limits
from codehazard.sandbox._oracles import comparator

__all__ = ["CodecError", "Limits", "comparator", "decode", "encode"]
