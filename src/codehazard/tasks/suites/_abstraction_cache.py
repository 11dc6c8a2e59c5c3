"""Capability ``lru-cache``: least-recently-used eviction, at four levels.

L1 ``hits(capacity, keys)`` with the eviction and refresh rules stated; L2 "our cache keeps the
C most recently used keys" (nothing is left open: a lookup is a use, so a hit refreshes the
key; there may be no lookups); L3 an LRU cache class (get, put, keys); L4 a read-through cache
in front of a database from a user story: a parser, the database, the cache and hit counters
behind ``handle(line)``.
"""

from __future__ import annotations

import random

from codehazard.tasks.suites._abstraction_spec import Edit, Spec, Steps, pick

FUNCTIONS = ("lru_hits", "cache_hits", "simulate_lru", "hit_pattern", "lru_trace")
L2_FUNCTIONS = ("served_from_cache", "cache_report", "lookups_hit", "was_cached", "hit_flags")
CLASSES = ("LRUCache", "RecentCache", "LruStore", "MemoCache", "Recents")
SYSTEMS = ("CachedStore", "ReadThrough", "FastReads", "CacheFront", "StoreCache")
KEYS = ("a", "b", "c", "d", "e", "f")

CORE = """
cache = []
out = []
for key in KEYS_ARG:
    if key in cache:
        cache.remove(key)
        cache.append(key)
        out.append(True)
    else:
        if len(cache) == CAPACITY:
            cache.pop(0)
        cache.append(key)
        out.append(False)
return out
"""
MISSING = '        if key not in self._database:\n            return "missing"\n'
REFRESH = "        cache.remove(key)\n        cache.append(key)\n"


def _keys(rng: random.Random, count: int) -> list[str]:
    pool = rng.sample(KEYS, rng.randint(2, 5))
    return [rng.choice(pool) for _ in range(count)]


def _l1(rng: random.Random) -> Spec:
    fn = pick(rng, FUNCTIONS)
    doc = (
        "Simulate a least-recently-used cache.\n\n"
        "The cache holds at most capacity keys (capacity >= 1) and starts empty. For each key "
        "of keys, in order: if the key is in the cache it is a hit (True) and becomes the most "
        "recently used key; otherwise it is a miss (False) and the key is added as the most "
        "recently used, first evicting the least recently used key if the cache is full. "
        "Return the list of hits and misses."
    )
    calls: list[list[object]] = [[1, []], [1, ["a", "a", "b", "a"]], [2, ["a", "b", "a", "c", "a"]]]
    calls += [[rng.randint(1, 4), _keys(rng, rng.randint(3, 16))] for _ in range(24)]
    return Spec(
        fn,
        "function",
        f"def {fn}(capacity, keys):",
        doc,
        CORE.replace("KEYS_ARG", "keys").replace("CAPACITY", "capacity"),
        [
            Edit("fifo", "a hit does not refresh the key (first in, first out)", ((REFRESH, ""),)),
            Edit(
                "evicts-newest",
                "evicts the most recently used key",
                (("cache.pop(0)", "cache.pop()"),),
            ),
            Edit(
                "one-too-many",
                "holds capacity + 1 keys",
                (("len(cache) == capacity", "len(cache) > capacity"),),
            ),
        ],
        calls=calls,
    )


def _l2(rng: random.Random) -> Spec:
    fn = pick(rng, L2_FUNCTIONS)
    capacity = rng.randint(2, 4)
    doc = pick(
        rng,
        (
            f"Our cache keeps the {capacity} most recently used keys. Given the keys looked "
            "up, in order, return for each lookup whether it was served from the cache.",
            f"A cache remembers the last {capacity} distinct keys that were used. For a "
            "sequence of key lookups, say which of them found their key in the cache.",
        ),
    )
    keys = list(KEYS[: capacity + 1])
    refresh = [*keys[:capacity], keys[0], keys[-1], keys[0], keys[1]]
    calls: list[list[object]] = [[[]], [["a"]], [refresh]]
    calls += [[_keys(rng, rng.randint(3, 18))] for _ in range(30)]
    return Spec(
        fn,
        "function",
        f"def {fn}(lookups):",
        doc,
        CORE.replace("KEYS_ARG", "lookups").replace("CAPACITY", str(capacity)),
        [
            Edit("fifo", "a hit does not count as a use", ((REFRESH, ""),)),
            Edit("evicts-newest", "evicts the key used last", (("cache.pop(0)", "cache.pop()"),)),
            Edit(
                "one-too-many",
                f"keeps {capacity + 1} keys",
                ((f"len(cache) == {capacity}", f"len(cache) > {capacity}"),),
            ),
        ],
        calls=calls,
    )


L3_BODY = """
def __init__(self, capacity):
    self._capacity = capacity
    self._items = {}

def get(self, key):
    if key not in self._items:
        return None
    value = self._items.pop(key)
    self._items[key] = value
    return value

def put(self, key, value):
    evicted = None
    if key in self._items:
        del self._items[key]
    elif len(self._items) == self._capacity:
        evicted = next(iter(self._items))
        del self._items[evicted]
    self._items[key] = value
    return evicted

def keys(self):
    return list(self._items)
"""


def _class_steps(rng: random.Random) -> Steps:
    pool = rng.sample(KEYS, rng.randint(2, 5))
    steps: Steps = []
    for _ in range(rng.randint(4, 18)):
        name = rng.choice(("get", "get", "put", "put", "put", "keys"))
        key = rng.choice(pool)
        steps.append((name, {"get": [key], "put": [key, rng.randint(0, 99)], "keys": []}[name]))
    return steps


def _full(capacity: int) -> list[Steps]:
    """A full cache: a key read, a key updated, then one key too many."""
    fill: Steps = [("put", [key, n]) for n, key in enumerate(KEYS[:capacity])]
    return [
        [*fill, ("get", ["a"]), ("put", ["z", 9]), ("keys", []), ("get", ["a"])],
        [*fill, ("put", ["a", 7]), ("keys", []), ("put", ["z", 9]), ("get", ["a"])],
    ]


def _l3(rng: random.Random) -> Spec:
    cls = pick(rng, CLASSES)
    capacity = rng.randint(2, 3)
    doc = (
        "A least-recently-used cache.\n\n"
        f"- {cls}(capacity): holds at most capacity keys (capacity >= 1).\n"
        "- get(key): the key's value, or None when it is not cached; a found key becomes the "
        "most recently used.\n"
        "- put(key, value) -> the evicted key or None: store the value. A key already cached "
        "is updated and becomes the most recently used (nothing is evicted); a new key, when "
        "the cache is full, first evicts the least recently used key, which is returned.\n"
        "- keys() -> list: the cached keys from least to most recently used."
    )
    return Spec(
        cls,
        "class",
        f"class {cls}:",
        doc,
        L3_BODY,
        [
            Edit(
                "get-no-refresh",
                "get does not make the key most recently used",
                (
                    (
                        "value = self._items.pop(key)\n    self._items[key] = value",
                        "value = self._items[key]",
                    ),
                ),
            ),
            Edit(
                "update-evicts",
                "put of a cached key in a full cache evicts the oldest key",
                (
                    (
                        "    if key in self._items:\n        del self._items[key]\n    elif len",
                        "    if len",
                    ),
                ),
            ),
            Edit(
                "put-no-refresh",
                "updating a cached key leaves its place",
                (
                    (
                        "    if key in self._items:\n        del self._items[key]\n    elif",
                        "    if key in self._items:\n        pass\n    elif",
                    ),
                ),
            ),
            Edit(
                "most-recent-first",
                "keys lists the most recently used first",
                (("list(self._items)", "list(reversed(self._items))"),),
            ),
        ],
        init=[capacity],
        sequences=[*_full(capacity), *(_class_steps(rng) for _ in range(24))],
    )


L4_BODY = '''
class Recent:
    """The cache: at most capacity values, the least recently read evicted first."""

    def __init__(self, capacity):
        self.capacity = capacity
        self.items = {}

    def get(self, key):
        if key not in self.items:
            return False, None
        value = self.items.pop(key)
        self.items[key] = value
        return True, value

    def put(self, key, value):
        if len(self.items) == self.capacity:
            del self.items[next(iter(self.items))]
        self.items[key] = value

    def update(self, key, value):
        if key in self.items:
            self.items[key] = value


def parse(line):
    parts = line.split()
    if len(parts) == 3 and parts[0] == "write":
        return ("write", parts[1], parts[2])
    if len(parts) == 2 and parts[0] == "read":
        return ("read", parts[1])
    if parts == ["stats"]:
        return ("stats",)
    return None


class ENTRY:
    def __init__(self):
        self._database = {}
        self._cache = Recent(CAPACITY)
        self._hits = 0
        self._misses = 0

    def handle(self, line):
        command = parse(line)
        if command is None:
            return "error"
        if command[0] == "write":
            self._database[command[1]] = command[2]
            self._cache.update(command[1], command[2])
            return "ok"
        if command[0] == "stats":
            return f"hits {self._hits} misses {self._misses}"
        key = command[1]
        found, value = self._cache.get(key)
        if found:
            self._hits += 1
            return f"{value} (hit)"
        self._misses += 1
        if key not in self._database:
            return "missing"
        self._cache.put(key, self._database[key])
        return f"{self._database[key]} (miss)"
'''


def _session(rng: random.Random) -> Steps:
    pool = rng.sample(KEYS, rng.randint(3, 5))
    steps: Steps = []
    for _ in range(rng.randint(5, 22)):
        roll, key = rng.random(), rng.choice(pool)
        if roll < 0.35:
            line = f"write {key} v{rng.randint(1, 9)}"
        elif roll < 0.85:
            line = f"read {key}"
        elif roll < 0.95:
            line = "stats"
        else:
            line = rng.choice(("read", f"write {key}", "delete a", "stats now"))
        steps.append(("handle", [line]))
    return steps


def _refresh(capacity: int) -> Steps:
    """Fill the cache, read the oldest key again, read one more: which key left?"""
    keys = KEYS[: capacity + 1]
    lines = [f"write {k} v{n}" for n, k in enumerate(keys)]
    lines += [f"read {k}" for k in keys[:capacity]]
    lines += [f"read {keys[0]}", f"read {keys[-1]}", f"read {keys[0]}", "stats"]
    return [("handle", [line]) for line in lines]


def _story(entry: str, capacity: int) -> str:
    """The user story and its acceptance criteria."""
    return (
        "As a developer, I want a read-through cache in front of our slow database, so that "
        "repeated reads are fast, and I want to see how often the cache helps.\n\n"
        f"The store is used through one class, `{entry}()`, with one method, "
        "`handle(line) -> str`, called once per command:\n\n"
        "- `write <key> <value>` stores the value in the database: the answer is `ok`. If the "
        "key is cached, its cached value is updated too; a write never adds a key to the cache.\n"
        "- `read <key>`: `<value> (hit)` when the value comes from the cache; otherwise the "
        "value is read from the database and cached, and the answer is `<value> (miss)`; "
        "`missing` when the database has no such key (nothing is cached then).\n"
        "- `stats`: `hits <h> misses <m>`, counting every read so far (a `missing` read is a "
        "miss).\n"
        "- any other line: the answer is `error`.\n\n"
        f"The cache holds {capacity} keys; when a key must be cached and it is full, the key "
        "read least recently leaves it. Writes do not count as reads."
    )


def _l4(rng: random.Random) -> Spec:
    entry = pick(rng, SYSTEMS)
    capacity = rng.randint(2, 3)
    doc = _story(entry, capacity)
    body = L4_BODY.replace("ENTRY", entry).replace("Recent(CAPACITY)", f"Recent({capacity})")
    return Spec(
        entry,
        "module",
        None,
        doc,
        body,
        [
            Edit(
                "stale-cache",
                "a write reaches the database but not the cached copy (wiring)",
                (("            self._cache.update(command[1], command[2])\n", ""),),
            ),
            Edit(
                "never-cached",
                "values read from the database are never cached (wiring)",
                (("        self._cache.put(key, self._database[key])\n", ""),),
            ),
            Edit(
                "fifo",
                "a cache hit does not refresh the key",
                (
                    (
                        "value = self.items.pop(key)\n        self.items[key] = value",
                        "value = self.items[key]",
                    ),
                ),
            ),
            Edit(
                "missing-uncounted",
                "reads of missing keys are not counted as misses",
                (
                    (
                        "        self._misses += 1\n" + MISSING,
                        MISSING + "        self._misses += 1\n",
                    ),
                ),
            ),
        ],
        sequences=[_refresh(capacity), *(_session(rng) for _ in range(28))],
        components=3,
    )


def make_cache(level: int, rng: random.Random) -> Spec:
    """The lru-cache capability at ``level`` (1-4)."""
    return (_l1, _l2, _l3, _l4)[level - 1](rng)
