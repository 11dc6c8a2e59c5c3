"""Templates whose secret is served: password checks (constant-time comparison) and releases
of statistics (declassification: only what the specification allows, at constant work).

The secret reaches the candidate as a served ``Secret``: the judge counts every read of it, so
the work a call does is observed exactly. Bodies use upper-case placeholders for the seeded
names (``subst``).
"""

from __future__ import annotations

import random
import string

from codehazard.tasks.suites._hyper_spec import Mutant, Pair, Spec, subst

SECRET_NOTE = (
    "{s} is a Secret: a read-only sequence that supports only len({s}), {s}[i] (an int index), "
    "iteration and == (no slices, no methods). Every read of it is observable, and == reads "
    "the items it compares, stopping at the first difference."
)

_PASSWORD_NAMES = (
    ("check_password", "stored", "attempt"),
    ("verify_password", "expected", "given"),
    ("password_matches", "secret", "guess"),
    ("verify_pin", "pin", "entered"),
    ("check_passphrase", "phrase", "typed"),
)
_LOCKED = ("account locked", "too many attempts", "locked out")
_WRONG = ("wrong password", "access denied", "authentication failed")


def _changed(rng: random.Random, text: str, at: int, alphabet: str) -> str:
    other = rng.choice([c for c in alphabet if c != text[at]])
    return text[:at] + other + text[at + 1 :]


def _password_pairs(rng: random.Random, level: int, attempt: str, alphabet: str) -> list[Pair]:
    """Pairs whose halves both differ from ``attempt`` (whether they match is what a check
    releases), plus one of the attempt itself for the answer True."""
    m = len(attempt)

    def word(n: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    def changed(at: int) -> str:
        return _changed(rng, attempt, at, alphabet)

    p1, p2 = rng.sample(range(1, m - 1), 2)
    same = [
        (changed(p1), changed(p2)),
        (changed(0), changed(m - 1)),
        (changed(m - 1), changed(m // 2)),
        (word(m), word(m)),
        (word(m + 2), word(m + 2)),
        (attempt, attempt),
    ]
    for _ in range(4):  # random places of the first difference
        q1, q2 = rng.sample(range(m), 2)
        same.append((changed(q1), changed(q2)))
    differ = [
        (changed(0), attempt + rng.choice(alphabet)),
        (attempt[: m - 2], changed(m - 1)),
        (word(m - 3), word(m + 3)),
        (attempt + rng.choice(alphabet), changed(m // 2)),
    ]
    pairs = same + (differ if level >= 2 else [])
    return [([None, attempt, *([0] if level == 3 else [])], a, b) for a, b in pairs]


def make_password(level: int, rng: random.Random) -> Spec:
    """``verify(stored, attempt)``: equal or not, with work independent of the stored value."""
    fn, s, a = rng.choice(_PASSWORD_NAMES)
    alphabet = "".join(rng.sample(string.ascii_lowercase + string.digits, 12))
    attempt = "".join(rng.choice(alphabet) for _ in range(rng.randint(6, 8) + 2 * level))
    limit, locked, wrong = rng.randint(3, 6), rng.choice(_LOCKED), rng.choice(_WRONG)
    names = {"STORED": s, "ATTEMPT": a, "LIMIT": str(limit), "LOCKED": locked, "WRONG": wrong}
    note = SECRET_NOTE.format(s=s)
    if level == 1:
        doc = (
            f"Return True when {a} equals the stored password {s}, else False.\n\n{note}\n\n"
            f"The length of {s} is public; its characters are not: how many reads of {s} a "
            f"call makes may depend on len({s}) and {a} only, never on {s}'s characters."
        )
        body = _L1
        mutants = [
            Mutant("leak-work", "returns at the first differing character", _L1_EARLY),
            Mutant("leak-work", "compares with ==, which stops at the first difference", _EQ),
            Mutant("leak-work", "all() over zip(), which stops at the first False", _ALL),
        ]
    else:
        doc = (
            f"Return True when {a} equals the stored password {s}, else False.\n\n{note}\n\n"
            f"Nothing of {s} is public, not even its length: how many reads of {s} a call "
            f"makes may depend on {a} only. {s} is never empty."
        )
        body, mutants = (
            _L2,
            [
                Mutant("leak-work", "returns early when the lengths differ", _L1),
                Mutant("leak-work", "returns at the first differing character", _L2_EARLY),
                Mutant("leak-work", "loops over the stored password's length", _L2_STORED_LOOP),
            ],
        )
    params = [s, a]
    if level == 3:
        params.append("failures")
        doc = (
            f"Check a login attempt. When failures (the failed attempts so far) is {limit} or "
            f"more, raise PermissionError({locked!r}) without reading {s}. Otherwise return "
            f"True when {a} equals the stored password {s}; when it does not, raise "
            f"PermissionError({wrong!r}) (this exact message, whatever the difference).\n\n"
            f"{note}\n\nNothing of {s} is public, not even its length: how many reads of {s} "
            f"a call makes, and what it returns or raises, may depend on {a} and failures only "
            f"(and on whether they match). {s} is never empty."
        )
        body, mutants = (
            _L3,
            [
                Mutant("leak-exception", "says where the first wrong character is", _L3_WHERE),
                Mutant("leak-exception", "says how long the stored password is", _L3_LENGTH),
                Mutant("leak-work", "stops at the first wrong character", _L3_EARLY),
            ],
        )
    pairs = _password_pairs(rng, level, attempt, alphabet)
    if level == 3:
        pairs.append(([None, attempt, limit], attempt, attempt[:-1]))
    return Spec(
        fn,
        params,
        doc,
        subst(body, names),
        pairs,
        served=True,
        mutants=[Mutant(m.kind, m.detail, subst(m.body, names)) for m in mutants],
        numbers="output",
        size=max(max(len(p[1]), len(p[2])) for p in pairs),
    )


_L1 = """\
    if len(STORED) != len(ATTEMPT):
        return False
    diff = 0
    for i in range(len(ATTEMPT)):
        diff |= ord(STORED[i]) ^ ord(ATTEMPT[i])
    return diff == 0
"""
_L1_EARLY = """\
    if len(STORED) != len(ATTEMPT):
        return False
    for i in range(len(ATTEMPT)):
        if STORED[i] != ATTEMPT[i]:
            return False
    return True
"""
_EQ = """\
    return STORED == ATTEMPT
"""
_ALL = """\
    return len(STORED) == len(ATTEMPT) and all(x == y for x, y in zip(STORED, ATTEMPT))
"""
_L2 = """\
    n = len(STORED)
    diff = n ^ len(ATTEMPT)
    for i in range(len(ATTEMPT)):
        diff |= ord(STORED[i % n]) ^ ord(ATTEMPT[i])
    return diff == 0
"""
_L2_EARLY = """\
    n = len(STORED)
    if n != len(ATTEMPT):
        return False
    for i in range(n):
        if STORED[i] != ATTEMPT[i]:
            return False
    return True
"""
_L2_STORED_LOOP = """\
    n = len(STORED)
    diff = n ^ len(ATTEMPT)
    for i in range(n):
        diff |= ord(STORED[i]) ^ ord(ATTEMPT[i % len(ATTEMPT)])
    return diff == 0
"""
_L3 = """\
    if failures >= LIMIT:
        raise PermissionError("LOCKED")
    n = len(STORED)
    diff = n ^ len(ATTEMPT)
    for i in range(len(ATTEMPT)):
        diff |= ord(STORED[i % n]) ^ ord(ATTEMPT[i])
    if diff != 0:
        raise PermissionError("WRONG")
    return True
"""
_L3_WHERE = """\
    if failures >= LIMIT:
        raise PermissionError("LOCKED")
    n = len(STORED)
    diff = n ^ len(ATTEMPT)
    wrong = -1
    for i in range(len(ATTEMPT)):
        d = ord(STORED[i % n]) ^ ord(ATTEMPT[i])
        if d and wrong < 0:
            wrong = i
        diff |= d
    if diff != 0:
        raise PermissionError(f"WRONG (character {wrong + 1})")
    return True
"""
_L3_LENGTH = """\
    if failures >= LIMIT:
        raise PermissionError("LOCKED")
    n = len(STORED)
    diff = 0
    for i in range(len(ATTEMPT)):
        diff |= ord(STORED[i % n]) ^ ord(ATTEMPT[i])
    if n != len(ATTEMPT):
        raise PermissionError(f"WRONG: expected {n} characters")
    if diff != 0:
        raise PermissionError("WRONG")
    return True
"""
_L3_EARLY = """\
    if failures >= LIMIT:
        raise PermissionError("LOCKED")
    n = len(STORED)
    for i in range(len(ATTEMPT)):
        if i >= n or STORED[i] != ATTEMPT[i]:
            raise PermissionError("WRONG")
    if n != len(ATTEMPT):
        raise PermissionError("WRONG")
    return True
"""


# releases (declassification) ------------------------------------------------------------------

_RELEASE_NAMES = (
    ("salary_band", "salaries"),
    ("spend_band", "amounts"),
    ("score_band", "scores"),
    ("usage_band", "readings"),
    ("donation_band", "gifts"),
)


def _values(rng: random.Random, n: int, total: int) -> list[int]:
    """``n`` non-negative ints summing to ``total`` (``total >= 0``)."""
    if n == 0:
        return []
    cuts = sorted(rng.randint(0, total) for _ in range(n - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def _band_pairs(rng: random.Random, n: int, width: int) -> list[Pair]:
    pairs: list[Pair] = []
    for _ in range(8):
        band = rng.randint(n, 4 * n) * width
        low, high = rng.randrange(width // 2), rng.randrange(width // 2 + 1, width)
        a, b = _values(rng, n, band + low), _values(rng, n, band + high)
        if rng.random() < 0.5:
            a, b = b, a
        pairs.append(([None, width], a, b))
    exact = [width * rng.randint(2, 5) for _ in range(n)]  # every remainder 0
    pairs.append(([None, width], exact, _values(rng, n, sum(exact) + width - 1)))
    return pairs


def _count_pairs(rng: random.Random, n: int, threshold: int, cap: int) -> list[Pair]:
    def row(hits: int, first: bool) -> list[int]:
        above = [rng.randint(threshold, threshold + 50) for _ in range(hits)]
        below = [rng.randint(0, threshold - 1) for _ in range(n - hits)]
        return above + below if first else below + above

    pairs: list[Pair] = []
    for k in range(4):
        pairs.append(([None, threshold, cap], row(cap + k, True), row(n - k, False)))
    for _ in range(4):
        hits = rng.randint(0, cap - 1)
        a, b = row(hits, True), row(hits, False)
        rng.shuffle(b)
        pairs.append(([None, threshold, cap], a, b))
    return pairs


def _group_pairs(rng: random.Random, n: int, threshold: int, k: int, width: int) -> list[Pair]:
    def row(hits: int, total: int) -> list[int]:
        above = [threshold + v for v in _values(rng, hits, total - hits * threshold)]
        out = above + [rng.randint(0, threshold - 1) for _ in range(n - hits)]
        rng.shuffle(out)
        return out

    args = [None, threshold, k, width]
    pairs: list[Pair] = []
    for _ in range(3):  # both suppressed: the counts and totals differ
        h1, h2 = rng.sample(range(1, k), 2) if k > 2 else (1, 0)
        pairs.append((args, row(h1, h1 * threshold + 40), row(h2, h2 * threshold + 90)))
    for _ in range(4):  # released: the same count and band, other exact totals
        hits = rng.randint(k, n - 1)
        band = (hits * threshold // width + rng.randint(1, 4)) * width
        low, high = rng.randrange(width // 2), rng.randrange(width // 2 + 1, width)
        pairs.append((args, row(hits, band + low), row(hits, band + high)))
    band = (k * threshold // width + 2) * width
    pairs.append((args, row(k, band + 1), row(k, band + width - 1)))  # exactly k: released
    return pairs


def make_release(level: int, rng: random.Random) -> Spec:
    """Release a statistic of a served list of values: exactly what the specification allows."""
    fn, v = rng.choice(_RELEASE_NAMES)
    n = rng.randint(8, 12) + 4 * level
    width, threshold = rng.choice((10, 20, 25, 50, 100)), rng.randint(40, 90)
    cap, k = rng.randint(2, 4), rng.randint(3, 5)
    note = SECRET_NOTE.format(s=v)
    names = {"VALUES": v}
    reads = f"How many reads of {v} a call makes may depend on len({v}) only."
    if level == 1:
        doc = (
            f"{v} holds non-negative ints. Release only their total rounded down to a multiple "
            f"of width: return total - total % width.\n\n{note}\n\n{reads}"
        )
        params, pairs, numbers = [v, "width"], _band_pairs(rng, n, width), "output"
        body, mutants = (
            _BAND,
            [
                Mutant("leak-output", "releases the exact total", _BAND_EXACT),
                Mutant("leak-output", "rounds to the nearest multiple", _BAND_ROUND),
                Mutant("leak-output", "rounds every value down before adding", _BAND_EACH),
            ],
        )
    elif level == 2:
        doc = (
            f"{v} holds non-negative ints. Release only how many of them are at least "
            f"threshold, capped at cap: return min(that count, cap).\n\n{note}\n\n{reads}"
        )
        params, numbers = [v, "threshold", "cap"], "count"
        pairs = _count_pairs(rng, n, threshold, cap)
        body, mutants = (
            _COUNT,
            [
                Mutant("leak-count", "does not cap the count", _COUNT_UNCAPPED),
                Mutant("leak-work", "stops reading once the cap is reached", _COUNT_BREAK),
                Mutant("leak-work", "checks the cap before each read", _COUNT_GUARD),
            ],
        )
    else:
        doc = (
            f"{v} holds non-negative ints. Release a summary of the values that are at least "
            f"threshold: return [their count, their total rounded down to a multiple of width]"
            f", except that a group of fewer than k such values is suppressed: then return "
            f"[0, 0].\n\n{note}\n\n{reads}"
        )
        params, numbers = [v, "threshold", "k", "width"], "count"
        pairs = _group_pairs(rng, n, threshold, k, width)
        body, mutants = (
            _GROUP,
            [
                Mutant("leak-count", "does not suppress small groups", _GROUP_ALWAYS),
                Mutant("leak-count", "releases the exact total", _GROUP_EXACT),
                Mutant("contract", "suppresses a group of exactly k too", _GROUP_OFF_BY_ONE),
            ],
        )
    return Spec(
        fn,
        params,
        doc,
        subst(body, names),
        pairs,
        served=True,
        mutants=[Mutant(m.kind, m.detail, subst(m.body, names)) for m in mutants],
        numbers=numbers,
        size=n,
    )


_BAND = """\
    total = 0
    for x in VALUES:
        total += x
    return total - total % width
"""
_BAND_EXACT = """\
    total = 0
    for x in VALUES:
        total += x
    return total
"""
_BAND_ROUND = """\
    total = 0
    for x in VALUES:
        total += x
    return width * round(total / width)
"""
_BAND_EACH = """\
    total = 0
    for x in VALUES:
        total += x - x % width
    return total
"""
_COUNT = """\
    count = 0
    for x in VALUES:
        if x >= threshold:
            count += 1
    return min(count, cap)
"""
_COUNT_UNCAPPED = """\
    count = 0
    for x in VALUES:
        if x >= threshold:
            count += 1
    return count
"""
_COUNT_BREAK = """\
    count = 0
    for x in VALUES:
        if x >= threshold:
            count += 1
            if count == cap:
                break
    return count
"""
_COUNT_GUARD = """\
    count = 0
    for i in range(len(VALUES)):
        if count >= cap:
            break
        if VALUES[i] >= threshold:
            count += 1
    return count
"""
_GROUP = """\
    count = total = 0
    for x in VALUES:
        if x >= threshold:
            count += 1
            total += x
    if count < k:
        return [0, 0]
    return [count, total - total % width]
"""
_GROUP_ALWAYS = """\
    count = total = 0
    for x in VALUES:
        if x >= threshold:
            count += 1
            total += x
    return [count, total - total % width]
"""
_GROUP_EXACT = """\
    count = total = 0
    for x in VALUES:
        if x >= threshold:
            count += 1
            total += x
    if count < k:
        return [0, 0]
    return [count, total]
"""
_GROUP_OFF_BY_ONE = """\
    count = total = 0
    for x in VALUES:
        if x >= threshold:
            count += 1
            total += x
    if count <= k:
        return [0, 0]
    return [count, total - total % width]
"""
