"""The ``concurrency`` suite's templates: concurrent classes, their references and mutants.

Each template is one concurrent object: its specification (a class docstring), the reference
body, and the plausible wrong bodies a model writes (mutants: a missing lock, check-then-act, a
lock held across a blocking wait, notify instead of notify_all, ...). Code is written with
``$role`` placeholders for the method names a task draws (``$add`` becomes ``increment_by``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LOCKED_COUNTER = """\
    def __init__(self, start):
        self._lock = threading.Lock()
        self._n = start

    def $add(self, amount):
        with self._lock:
            self._n += amount

    def $value(self):
        with self._lock:
            return self._n
"""

IDS = """\
    def __init__(self, start):
        self._lock = threading.Lock()
        self._start = start
        self._next = start

    def $next(self):
        with self._lock:
            number = self._next
            self._next += 1
            return number

    def $issued(self):
        with self._lock:
            return self._next - self._start
"""

HIGH = """\
    def __init__(self, floor):
        self._lock = threading.Lock()
        self._best = floor

    def $offer(self, value):
        with self._lock:
            if value > self._best:
                self._best = value

    def $best(self):
        with self._lock:
            return self._best
"""

BANK = """\
    def __init__(self, balances):
        self._balances = list(balances)
        self._locks = [threading.Lock() for _ in self._balances]

    def $transfer(self, src, dst, amount):
        first, second = sorted((src, dst))
        with self._locks[first]:
            with self._locks[second]:
                if self._balances[src] < amount:
                    return False
                self._balances[src] -= amount
                self._balances[dst] += amount
                return True

    def $balances(self):
        for lock in self._locks:
            lock.acquire()
        try:
            return list(self._balances)
        finally:
            for lock in self._locks:
                lock.release()
"""

STATS = """\
    def __init__(self):
        self._lock = threading.Lock()
        self._count = 0
        self._total = 0

    def $record(self, value):
        with self._lock:
            self._count += 1
            self._total += value

    def $summary(self):
        with self._lock:
            return [self._count, self._total]
"""

ONCE = """\
    def __init__(self):
        self._lock = threading.Lock()
        self._done = False
        self._value = None

    def $get(self, init):
        if self._done:
            return self._value
        with self._lock:
            if not self._done:
                self._value = init()
                self._done = True
        return self._value

    def $peek(self):
        with self._lock:
            return self._value if self._done else None
"""

QUEUE = """\
    def __init__(self, capacity):
        self._capacity = capacity
        self._items = collections.deque()
        self._lock = threading.Lock()
        self._not_full = threading.Condition(self._lock)
        self._not_empty = threading.Condition(self._lock)

    def $put(self, item):
        with self._not_full:
            while len(self._items) >= self._capacity:
                self._not_full.wait()
            self._items.append(item)
            self._not_empty.notify()

    def $get(self):
        with self._not_empty:
            while not self._items:
                self._not_empty.wait()
            item = self._items.popleft()
            self._not_full.notify()
            return item

    def $size(self):
        with self._lock:
            return len(self._items)
"""

RWLOCK = """\
    def __init__(self):
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    def $acquire_read(self):
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1

    def $release_read(self):
        with self._cond:
            self._readers -= 1
            if self._readers == 0:
                self._cond.notify_all()

    def $acquire_write(self):
        with self._cond:
            self._waiting_writers += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writer = True

    def $release_write(self):
        with self._cond:
            self._writer = False
            self._cond.notify_all()
"""

POOL = """\
    def __init__(self, workers):
        self._cond = threading.Condition()
        self._jobs = collections.deque()
        self._closing = False
        self._threads = [threading.Thread(target=self._work, daemon=True) for _ in range(workers)]
        for thread in self._threads:
            thread.start()

    def _work(self):
        while True:
            with self._cond:
                while not self._jobs and not self._closing:
                    self._cond.wait()
                if not self._jobs:
                    return
                job = self._jobs.popleft()
            job()

    def $submit(self, job):
        with self._cond:
            self._jobs.append(job)
            self._cond.notify()

    def $shutdown(self):
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join()
"""


@dataclass(frozen=True)
class Mutant:
    """A wrong body: ``kind`` names the mistake, ``old -> new`` rewrites the reference."""

    kind: str
    detail: str
    edits: tuple[tuple[str, str], ...]

    def apply(self, body: str) -> str:
        for old, new in self.edits:
            if old not in body:
                raise AssertionError(f"mutant {self.kind}: {old!r} not in the reference")
            body = body.replace(old, new, 1)
        return body


@dataclass(frozen=True)
class Template:
    """One concurrent class: model, roles with their name choices, specification, code."""

    name: str
    level: int
    model: str
    imports: str
    classes: tuple[str, ...]
    roles: dict[str, tuple[str, ...]]
    summary: str
    methods_doc: str
    body: str
    mutants: tuple[Mutant, ...]
    checker: dict[str, Any] = field(default_factory=dict)


def _m(kind: str, detail: str, *edits: tuple[str, str]) -> Mutant:
    return Mutant(kind, detail, edits)


PER_CALL_LOCK = ("with self._lock:", "with threading.Lock():")
"""A fresh lock per call: it excludes nobody."""

TEMPLATES: tuple[Template, ...] = (
    Template(
        "counter",
        1,
        "counter",
        "import threading",
        ("HitCounter", "VisitCounter", "TicketCounter", "PageViews"),
        {"add": ("add", "increment_by", "bump"), "value": ("value", "total", "current")},
        "A counter shared by many threads.",
        "$cls(start) starts the count at ``start``.\n"
        "$add(amount): add ``amount`` to the count (returns None).\n"
        "$value(): the current count.",
        LOCKED_COUNTER,
        (
            _m(
                "missing-lock",
                "adds without a lock",
                (
                    "        with self._lock:\n            self._n += amount",
                    "        self._n += amount",
                ),
            ),
            _m("lock-per-call", "takes a new lock on every call", PER_CALL_LOCK, PER_CALL_LOCK),
            _m(
                "read-outside-lock",
                "reads the count before taking the lock",
                (
                    "        with self._lock:\n            self._n += amount",
                    "        new = self._n + amount\n        with self._lock:\n"
                    "            self._n = new",
                ),
            ),
        ),
    ),
    Template(
        "ids",
        1,
        "ids",
        "import threading",
        ("IdAllocator", "TicketDispenser", "SequenceNumbers", "OrderNumbers"),
        {"next": ("next_id", "take", "allocate"), "issued": ("issued", "count_issued")},
        "Hands out consecutive integer ids to many threads.",
        "$cls(start) hands out ``start``, ``start + 1``, ... in turn.\n"
        "$next(): the next id; no id is ever handed out twice or skipped.\n"
        "$issued(): how many ids have been handed out so far.",
        IDS,
        (
            _m(
                "missing-lock",
                "reads and bumps the next id without a lock",
                (
                    "        with self._lock:\n            number = self._next\n"
                    "            self._next += 1\n            return number",
                    "        number = self._next\n        self._next += 1\n        return number",
                ),
            ),
            _m("lock-per-call", "takes a new lock on every call", PER_CALL_LOCK),
            _m(
                "read-after-release",
                "computes the id after releasing the lock",
                (
                    "            number = self._next\n            self._next += 1\n"
                    "            return number",
                    "            self._next += 1\n        return self._next - 1",
                ),
            ),
        ),
    ),
    Template(
        "high-water",
        1,
        "high-water",
        "import threading",
        ("HighWaterMark", "PeakTracker", "MaxGauge", "RecordHigh"),
        {"offer": ("offer", "observe", "report"), "best": ("best", "peak", "highest")},
        "Keeps the highest value that many threads report.",
        "$cls(floor) starts with ``floor`` as the highest value.\n"
        "$offer(value): remember ``value`` if it is higher than the highest so far.\n"
        "$best(): the highest value so far.",
        HIGH,
        (
            _m(
                "check-then-act",
                "compares outside the lock, then writes under it",
                (
                    "        with self._lock:\n            if value > self._best:\n"
                    "                self._best = value",
                    "        if value > self._best:\n            with self._lock:\n"
                    "                self._best = value",
                ),
            ),
            _m(
                "missing-lock",
                "compares and writes without a lock",
                (
                    "        with self._lock:\n            if value > self._best:\n"
                    "                self._best = value",
                    "        if value > self._best:\n            self._best = value",
                ),
            ),
            _m("lock-per-call", "takes a new lock on every call", PER_CALL_LOCK),
        ),
        {"yield_p": 0.2, "ops": 10},
    ),
    Template(
        "bank",
        2,
        "bank",
        "import threading",
        ("Bank", "Ledger", "AccountBook", "Treasury"),
        {"transfer": ("transfer", "move", "send"), "balances": ("balances", "snapshot")},
        "Accounts that many threads move money between.",
        "$cls(balances) opens one account per opening balance (a list of integers).\n"
        "$transfer(src, dst, amount): move ``amount`` from account ``src`` to account ``dst``\n"
        "    and return True; if ``src`` holds less than ``amount``, change nothing and\n"
        "    return False. No balance is ever negative; the total never changes.\n"
        "$balances(): a list of every account's balance, as one consistent snapshot.",
        BANK,
        (
            _m(
                "check-then-act",
                "checks the balance before taking the locks",
                (
                    "        first, second = sorted((src, dst))\n",
                    "        if self._balances[src] < amount:\n            return False\n"
                    "        first, second = sorted((src, dst))\n",
                ),
                (
                    "                if self._balances[src] < amount:\n"
                    "                    return False\n",
                    "",
                ),
            ),
            _m(
                "lock-order",
                "locks the source then the destination: opposite transfers deadlock",
                ("        first, second = sorted((src, dst))\n", ""),
                ("self._locks[first]", "self._locks[src]"),
                ("self._locks[second]", "self._locks[dst]"),
            ),
            _m(
                "unlocked-snapshot",
                "reads the balances without the locks",
                (
                    "        for lock in self._locks:\n            lock.acquire()\n        try:\n"
                    "            return list(self._balances)\n        finally:\n"
                    "            for lock in self._locks:\n                lock.release()",
                    "        return [b for b in self._balances]",
                ),
            ),
        ),
        {"threads": 6, "ops": 6},
    ),
    Template(
        "stats",
        2,
        "stats",
        "import threading",
        ("RunningStats", "LatencyStats", "ScoreSummary", "SalesTally"),
        {"record": ("record", "add_sample", "observe"), "summary": ("summary", "snapshot")},
        "Counts and totals the values that many threads record.",
        "$cls() starts with no values.\n"
        "$record(value): count ``value`` and add it to the total.\n"
        "$summary(): ``[count, total]``, both from the same moment.",
        STATS,
        (
            _m(
                "two-locks",
                "guards the count and the total by different locks",
                (
                    "        self._lock = threading.Lock()\n",
                    "        self._lock = threading.Lock()\n"
                    "        self._total_lock = threading.Lock()\n",
                ),
                (
                    "            self._count += 1\n            self._total += value",
                    "            self._count += 1\n        with self._total_lock:\n"
                    "            self._total += value",
                ),
                (
                    "        with self._lock:\n            return [self._count, self._total]",
                    "        with self._lock:\n            count = self._count\n"
                    "        with self._total_lock:\n            return [count, self._total]",
                ),
            ),
            _m(
                "missing-lock",
                "records without a lock",
                (
                    "        with self._lock:\n            self._count += 1\n"
                    "            self._total += value",
                    "        self._count += 1\n        self._total += value",
                ),
            ),
            _m(
                "unlocked-read",
                "reads the summary without the lock",
                (
                    "        with self._lock:\n            return [self._count, self._total]",
                    "        return [self._count, self._total]",
                ),
            ),
        ),
    ),
    Template(
        "once",
        2,
        "once",
        "import threading",
        ("LazyResource", "OnceCell", "SettingsCache", "LazyConnection"),
        {"get": ("get_or_init", "obtain", "get"), "peek": ("peek", "current")},
        "A value initialised once, on first use, by whichever thread needs it first.",
        "$cls() starts empty.\n"
        "$get(init): the value. The first call runs ``init()`` (a function of no\n"
        "    arguments) and keeps what it returns; ``init`` of any caller runs at most once\n"
        "    in total, even when many threads call at once; every caller gets the kept value.\n"
        "$peek(): the kept value, or None while it is not initialised.",
        ONCE,
        (
            _m(
                "check-then-act",
                "tests for a value and initialises without a lock",
                (
                    "        if self._done:\n            return self._value\n"
                    "        with self._lock:\n            if not self._done:\n"
                    "                self._value = init()\n                self._done = True\n",
                    "        if not self._done:\n            self._value = init()\n"
                    "            self._done = True\n",
                ),
            ),
            _m(
                "flag-before-value",
                "publishes the flag before the value",
                (
                    "                self._value = init()\n                self._done = True\n",
                    "                self._done = True\n                self._value = init()\n",
                ),
            ),
            _m(
                "no-recheck",
                "does not test again after taking the lock",
                (
                    "            if not self._done:\n                self._value = init()\n"
                    "                self._done = True\n",
                    "            self._value = init()\n            self._done = True\n",
                ),
            ),
        ),
        {"threads": 8, "ops": 3},
    ),
    Template(
        "queue",
        3,
        "queue",
        "import collections\nimport threading",
        ("BoundedQueue", "JobBuffer", "Mailbox", "WorkQueue"),
        {
            "put": ("put", "push", "enqueue"),
            "get": ("get", "pop", "dequeue"),
            "size": ("size", "qsize"),
        },
        "A first-in first-out queue of bounded capacity shared by producers and consumers.",
        "$cls(capacity) holds at most ``capacity`` items.\n"
        "$put(item): add ``item`` at the back; while the queue is full, wait.\n"
        "$get(): remove and return the front item; while the queue is empty, wait.\n"
        "$size(): how many items are in the queue.",
        QUEUE,
        (
            _m(
                "notify-one-condition",
                "one condition for both waits, woken by notify()",
                (
                    "        self._not_full = threading.Condition(self._lock)\n"
                    "        self._not_empty = threading.Condition(self._lock)\n",
                    "        self._not_full = self._not_empty = threading.Condition(self._lock)\n",
                ),
            ),
            _m(
                "if-not-while",
                "tests the condition once (if) instead of in a loop",
                (
                    "            while len(self._items) >= self._capacity:",
                    "            if len(self._items) >= self._capacity:",
                ),
                ("            while not self._items:", "            if not self._items:"),
                (
                    "            self._not_empty.notify()",
                    "            self._not_empty.notify_all()",
                ),
                ("            self._not_full.notify()", "            self._not_full.notify_all()"),
            ),
            _m(
                "sleep-holding-lock",
                "waits for room by sleeping while it holds the lock",
                (
                    "            while len(self._items) >= self._capacity:\n"
                    "                self._not_full.wait()",
                    "            while len(self._items) >= self._capacity:\n"
                    "                time.sleep(0.001)",
                ),
                (
                    "    def $put(self, item):\n",
                    "    def $put(self, item):\n        import time\n\n",
                ),
            ),
        ),
        {"threads": 6, "ops": 6},
    ),
    Template(
        "rwlock",
        3,
        "rwlock",
        "import threading",
        ("ReadWriteLock", "SharedExclusiveLock", "RWLock", "DocumentLock"),
        {
            "acquire_read": ("acquire_read", "begin_read", "lock_shared"),
            "release_read": ("release_read", "end_read", "unlock_shared"),
            "acquire_write": ("acquire_write", "begin_write", "lock_exclusive"),
            "release_write": ("release_write", "end_write", "unlock_exclusive"),
        },
        "A reader-writer lock: many readers at once, or one writer alone.",
        "$cls() starts unlocked.\n"
        "$acquire_read() / $release_read(): enter and leave as a reader; readers may\n"
        "    share the lock with each other, never with a writer.\n"
        "$acquire_write() / $release_write(): enter and leave as the only holder.\n"
        "A waiting writer must not starve: once a writer waits, no new reader enters\n"
        "before it.",
        RWLOCK,
        (
            _m(
                "writer-ignores-readers",
                "a writer waits only for other writers",
                (
                    "            while self._writer or self._readers:",
                    "            while self._writer:",
                ),
            ),
            _m(
                "reader-preference",
                "readers enter while a writer waits: the writer starves",
                (
                    "            while self._writer or self._waiting_writers:",
                    "            while self._writer:",
                ),
            ),
            _m(
                "sleep-holding-lock",
                "a writer sleeps for the readers while it holds the lock",
                (
                    "            while self._writer or self._readers:\n"
                    "                self._cond.wait()",
                    "            while self._writer or self._readers:\n"
                    "                time.sleep(0.0005)",
                ),
                (
                    "    def $acquire_write(self):\n",
                    "    def $acquire_write(self):\n        import time\n\n",
                ),
            ),
        ),
        {"threads": 6, "ops": 30, "params": {"writers": 2, "writes": 2, "starvation_bound": 48}},
    ),
    Template(
        "pool",
        3,
        "pool",
        "import collections\nimport threading",
        ("WorkerPool", "TaskRunner", "JobPool", "BatchExecutor"),
        {"submit": ("submit", "schedule", "run_later"), "shutdown": ("shutdown", "close")},
        "A pool of worker threads that runs submitted jobs.",
        "$cls(workers) starts ``workers`` threads; at most that many jobs run at once.\n"
        "$submit(job): queue ``job`` (a function of no arguments) to be run by a worker.\n"
        "$shutdown(): wait until every submitted job has run, stop the workers and return\n"
        "    once they have all ended. Nothing is submitted after shutdown().",
        POOL,
        (
            _m(
                "drops-queued-jobs",
                "workers stop at shutdown with jobs still queued",
                (
                    "                if not self._jobs:\n                    return",
                    "                if self._closing:\n                    return",
                ),
            ),
            _m(
                "notify-one-on-shutdown",
                "wakes one worker at shutdown (notify, not notify_all)",
                (
                    "            self._closing = True\n            self._cond.notify_all()",
                    "            self._closing = True\n            self._cond.notify()",
                ),
            ),
            _m(
                "thread-per-job",
                "starts a thread per job, beyond the pool's size",
                (
                    "            self._jobs.append(job)\n            self._cond.notify()",
                    "            thread = threading.Thread(target=job)\n"
                    "            thread.start()\n            self._threads.append(thread)",
                ),
            ),
        ),
        {"threads": 3, "ops": 6},
    ),
)
