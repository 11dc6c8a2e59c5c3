"""The ``interdependence`` suite's bookkeeping templates: a double-entry ledger, an inventory.

Each ``make_*`` takes a level (1-3: more coupled variables, deeper nesting) and a seeded
generator and returns a ``Design``. The couplings are the bookkeeping identities: balances
that sum to zero and replay from the journal; reserved stock that is the sum of the open
orders and never exceeds what is on hand. Mutants are the mistakes a model makes keeping two
records in step: one side of an entry forgotten, a record written before the check that
refuses it, a reversal built by editing the original in place, one dictionary shared by
several books.
"""

from __future__ import annotations

import random
from typing import Any

from codehazard.tasks.suites._interdep_spec import (
    Design,
    code,
    coupling,
    couplings,
    sample_args,
    steps,
)
from codehazard.tasks.suites._temporal_spec import (
    Mutant,
    Spec,
    Steps,
    boundary_runs,
    method,
    pick,
    random_calls,
)

# --- ledger: double entry, balances replayed from the journal -------------------------------

LEDGER_NAMES = ("Ledger", "Books", "Journal", "CashBook", "Accounts", "GeneralLedger", "DayBook")
ACCOUNTS = ("cash", "bank", "rent", "sales", "stock", "wages", "tax", "loans", "fees", "equity")
CURRENCIES = ("EUR", "USD", "GBP", "JPY", "CHF")


def _post(level: int, mistake: str = "") -> str:
    """``post``, or with one ``mistake``: ``one-sided``, ``journal-first``, ``debit-first``."""
    multi = level >= 3
    book = "self._balances[currency]" if multi else "self._balances"
    entry = "[source, target, amount" + (", currency" if multi else "")
    entry += ", None]" if level >= 2 else "]"
    journal = f"    self._journal.append({entry})"
    check = "    if source not in book or target not in book:\n        return False"
    if mistake == "debit-first":
        check = (
            "    if source not in book:\n        return False\n"
            "    if source != target and amount > 0:\n        book[source] -= amount\n"
            "    if target not in book:\n        return False"
        )
    lines = [
        f"def post(self, source, target, amount{', currency' if multi else ''}):",
        journal if mistake == "journal-first" else "",
        "    if currency not in self._balances:\n        return False" if multi else "",
        f"    book = {book}",
        check,
        "    if source == target or amount <= 0:\n        return False",
        "" if mistake == "debit-first" else "    book[source] -= amount",
        "" if mistake == "one-sided" else "    book[target] += amount",
        "" if mistake == "journal-first" else journal,
        "    self._volume[currency] += amount" if multi else "",
        "    return True",
    ]
    return "".join(line + "\n" for line in lines if line)


def _reverse(level: int, mistake: str = "") -> str:
    """``reverse``, or with one ``mistake``: ``edits-original``, ``twice``, ``no-volume``."""
    multi = level >= 3
    guard = "original[-1] is not None"
    if mistake != "twice":
        guard += " or number in self._reversed"
    currency = ", currency" if multi else ""
    journal = f"    self._journal.append([target, source, amount{currency}, number])"
    if mistake == "edits-original":
        journal = (
            "    original[0], original[1] = target, source\n"
            "    original[-1] = number\n"
            "    self._journal.append(original)"
        )
    lines = [
        "def reverse(self, number):",
        "    if not 0 <= number < len(self._journal):\n        return False",
        "    original = self._journal[number]",
        f"    if {guard}:\n        return False",
        "    source, target, amount = original[0], original[1], original[2]",
        "    currency = original[3]" if multi else "",
        "    book = self._balances[currency]" if multi else "    book = self._balances",
        "    book[target] -= amount",
        "    book[source] += amount",
        journal,
        "    self._reversed.add(number)",
        "    self._volume[currency] += amount" if multi and mistake != "no-volume" else "",
        "    return True",
    ]
    return "".join(line + "\n" for line in lines if line)


def _ledger_methods(level: int) -> dict[str, str]:
    multi = level >= 3
    books = (
        "{c: {a: 0 for a in accounts} for c in currencies}" if multi else "{a: 0 for a in accounts}"
    )
    methods = {
        "__init__": code(
            f"""
            def __init__(self, accounts{", currencies" if multi else ""}):
                self._balances = {books}
                self._journal = []
            {"    self._reversed = set()" if level >= 2 else ""}
            {"    self._volume = {c: 0 for c in currencies}" if multi else ""}
            """
        ),
        "post": _post(level),
        "balances": method(
            "def balances(self):\n"
            + (
                "    return {c: dict(b) for c, b in self._balances.items()}"
                if multi
                else "    return dict(self._balances)"
            )
        ),
        "journal": method("def journal(self):\n    return [list(e) for e in self._journal]"),
    }
    if level >= 2:
        methods["reverse"] = _reverse(level)
        methods["reversed"] = method("def reversed(self):\n    return sorted(self._reversed)")
    if multi:
        methods["volume"] = method("def volume(self):\n    return dict(self._volume)")
    return methods


def _ledger_doc(level: int, cls: str, accounts: list[str], currencies: list[str]) -> str:
    multi = level >= 3
    opened = f"`{cls}(accounts{', currencies' if multi else ''})`"
    doc = [
        f"A double-entry ledger, built with {opened}; every account starts at 0"
        + (" in every currency." if multi else "."),
        "",
        "- post(source, target, amount"
        + (", currency" if multi else "")
        + "): move amount from account source to account",
        "  target: source's balance goes down by amount, target's up by amount, and the entry",
        "  is appended to the journal. Refused (returns False, nothing changes) unless both",
        "  accounts exist, they differ and amount > 0"
        + (", and the currency exists" if multi else "")
        + "; True if done.",
    ]
    if multi:
        doc.append("- balances(): {currency: {account: balance}}, every currency and account.")
    else:
        doc.append("- balances(): {account: balance} for every account.")
    if level == 1:
        doc.append("- journal(): the entries in order, each [source, target, amount].")
    else:
        fields = "source, target, amount" + (", currency" if multi else "") + ", reverses"
        doc += [
            f"- journal(): the entries in order, each [{fields}]; reverses is None",
            "  for a posted entry and the reversed entry's index for a reversal.",
            "- reverse(number): undo journal entry `number` (0-based) by appending the opposite",
            "  entry (target to source, same amount"
            + (", same currency" if multi else "")
            + ") with reverses = number. Refused",
            "  if there is no such entry, it is itself a reversal or it was reversed already.",
            "- reversed(): the sorted indices of the entries that have been reversed.",
        ]
    if multi:
        doc.append("- volume(): {currency: total amount of all journal entries in it}.")
    doc += [
        "",
        "The balances must always equal the journal replayed from zero, and the balances of"
        + (" each currency" if multi else " all accounts")
        + " sum to 0.",
    ]
    return "\n".join(doc)


def _ledger_couplings(level: int, accounts: list[str], currencies: list[str]) -> dict[str, Any]:
    multi = level >= 3
    replay_books = (
        f"{{c: {{a: 0 for a in {accounts!r}}} for c in {currencies!r}}}"
        if multi
        else f"{{a: 0 for a in {accounts!r}}}"
    )
    book = "want[e[3]]" if multi else "want"
    rules = [
        coupling(
            "double entry: the balances sum to 0" + (" in each currency" if multi else ""),
            f"""
            def holds(s):
                books = {"s['balances']" if multi else "{'': s['balances']}"}
                for name, book in sorted(books.items()):
                    total = sum(book.values())
                    if total != 0:
                        return f"balances(){{name and f'[{{name!r}}]'}} sum to {{total}}, not 0"
                return None
            """,
        ),
        coupling(
            "balances equal the journal replayed",
            f"""
            def holds(s):
                want = {replay_books}
                for e in s['journal']:
                    {book}[e[0]] -= e[2]
                    {book}[e[1]] += e[2]
                if s['balances'] != want:
                    return f"balances() is {{s['balances']!r}}; the journal gives {{want!r}}"
                return None
            """,
        ),
    ]
    if level >= 2:
        rules.append(
            coupling(
                "reversed() lists exactly the entries reversed in the journal",
                """
                def holds(s):
                    marks = sorted(e[-1] for e in s['journal'] if e[-1] is not None)
                    if s['reversed'] != marks:
                        return f"reversed() is {s['reversed']!r}; the journal reverses {marks!r}"
                    for e in s['journal']:
                        if e[-1] is not None:
                            o = s['journal'][e[-1]]
                            if [e[1], e[0], *e[2:-1]] != o[:-1]:
                                return f"reversal {e!r} does not mirror entry {o!r}"
                    return None
                """,
            )
        )
    if multi:
        rules.append(
            coupling(
                "volume() totals the journal's amounts per currency",
                f"""
                def holds(s):
                    want = {{c: 0 for c in {currencies!r}}}
                    for e in s['journal']:
                        want[e[3]] += e[2]
                    if s['volume'] != want:
                        return f"volume() is {{s['volume']!r}}; the journal gives {{want!r}}"
                    return None
                """,
            )
        )
    return couplings(*rules)


def _ledger_mutants(level: int, methods: dict[str, str]) -> list[Mutant]:
    out = [
        Mutant(
            "one-sided-entry",
            "post takes the amount from the source but never credits the target",
            {"post": _post(level, "one-sided")},
        ),
        Mutant(
            "recorded-before-check",
            "post appends the entry to the journal before the checks that refuse it",
            {"post": _post(level, "journal-first")},
        ),
        Mutant(
            "checked-after-debit",
            "post debits the source before it checks that the target exists",
            {"post": _post(level, "debit-first")},
        ),
    ]
    if level >= 2:
        out.append(
            Mutant(
                "reversal-edits-original",
                "reverse builds the reversal by editing the original entry in place, so one "
                "list stands in the journal twice",
                {"reverse": _reverse(level, "edits-original")},
            )
        )
        out.append(
            Mutant(
                "reverses-twice",
                "reverse never checks whether the entry was reversed already",
                {"reverse": _reverse(level, "twice")},
            )
        )
    if level >= 3:
        out.append(
            Mutant(
                "shared-books",
                "every currency's book is one shared dictionary (dict.fromkeys with a dict)",
                {
                    "__init__": methods["__init__"].replace(
                        "{c: {a: 0 for a in accounts} for c in currencies}",
                        "dict.fromkeys(currencies, {a: 0 for a in accounts})",
                    )
                },
            )
        )
        out.append(
            Mutant(
                "volume-on-one-path",
                "volume() is kept up to date by post but not by reverse",
                {"reverse": _reverse(level, "no-volume")},
            )
        )
    return out


def make_ledger(level: int, rng: random.Random) -> Design:
    """Transfers between accounts (level 2: reversals; level 3: currencies, volume)."""
    cls = pick(rng, LEDGER_NAMES)
    accounts = rng.sample(ACCOUNTS, 3 + level - 1)
    currencies = rng.sample(CURRENCIES, 2) if level >= 3 else []
    methods = _ledger_methods(level)
    pools: list[list[Any]] = [[*accounts, "void"], [*accounts, "void"], [-2, 0, 1, 3, 4, 9]]
    if level >= 3:
        pools.append([*currencies, "XXX"])
    posts = sample_args(rng, pools, 14)
    choices: list[tuple[str, Any]] = [("post", posts)]
    a, b, c = accounts[:3]
    cur = [currencies[0]] if level >= 3 else []
    good = [[a, b, 5, *cur], [b, c, 2, *cur], [c, a, 7, *cur]]
    adversarial: list[Steps] = [
        steps(*(("post", g) for g in good)),
        steps(("post", [a, "void", 3, *cur]), ("post", ["void", b, 3, *cur]), ("post", good[0])),
        steps(("post", [a, a, 4, *cur]), ("post", [a, b, 0, *cur]), ("post", [b, a, -3, *cur])),
    ]
    if level >= 2:
        numbers = [[-1], [0], [1], [2], [3], [6]]
        choices += [("post", [list(g) for g in good]), ("reverse", numbers)]
        adversarial += [
            steps(("post", good[0]), ("reverse", [0]), ("reverse", [0]), ("reverse", [1])),
            steps(*(("post", g) for g in good), ("reverse", [1]), ("post", good[0])),
            steps(("post", good[1]), ("reverse", [0]), ("post", good[2]), ("reverse", [2])),
        ]
    if level >= 3:
        other = currencies[1]
        adversarial += [
            steps(("post", [a, b, 5, other]), ("post", [b, c, 1, currencies[0]])),
            steps(("post", [a, b, 2, "XXX"]), ("post", [c, b, 3, other]), ("reverse", [0])),
        ]
    adversarial += boundary_runs(choices, 3)
    observe = ["balances", "journal"] + (["reversed"] if level >= 2 else [])
    observe += ["volume"] if level >= 3 else []
    init: list[Any] = [accounts] + ([currencies] if level >= 3 else [])
    spec = Spec(
        cls,
        _ledger_doc(level, cls, accounts, currencies),
        init,
        methods,
        observe,
        "coupled",
        _ledger_couplings(level, accounts, currencies),
        lambda r: random_calls(r, choices, 4, 24),
        adversarial,
        _ledger_mutants(level, methods),
        state_size=len(observe),
    )
    return Design(spec, depth=2 if level >= 3 else 1)


# --- inventory: stock on hand, reserved and available, and the open orders ------------------

STORE_NAMES = ("Store", "Inventory", "Stockroom", "Depot", "Pantry", "Warehouse", "Shop")
ITEMS = ("bolt", "nut", "gear", "lamp", "fan", "pipe", "valve", "cable", "plug", "drill")
SITES = ("north", "south", "east", "west", "dock")


def _lines(*lines: str) -> str:
    return "".join(line + "\n" for line in lines if line)


def _store_init(level: int, mistake: str = "") -> str:
    if level >= 3:
        copy = "{w: dict(s) for w, s in stock.items()}"
        zero = "{w: {i: 0 for i in s} for w, s in stock.items()}"
        available = "self._on_hand" if mistake == "alias" else copy
        totals = "    self._totals = {}\n    for s in stock.values():\n"
        totals += "        for i, q in s.items():\n"
        totals += "            self._totals[i] = self._totals.get(i, 0) + q"
    else:
        copy, zero, totals = "dict(stock)", "{i: 0 for i in stock}", ""
        available = "self._on_hand" if mistake == "alias" else copy
    return _lines(
        "def __init__(self, stock):",
        f"    self._on_hand = {copy}",
        f"    self._reserved = {zero}",
        f"    self._available = {available}",
        "    self._orders = {}" if level >= 2 else "",
        totals,
    )


def _store_methods(level: int, mistake: str = "") -> dict[str, str]:
    """The store's methods; with one ``mistake`` (see ``_store_mutants``) in one of them."""
    at = "[site][item]" if level >= 3 else "[item]"
    site = "site, " if level >= 3 else ""
    known = "site in self._on_hand and item in self._on_hand[site]" if level >= 3 else ""
    known = known or "item in self._on_hand"
    room = "self._on_hand" if mistake == "checks-on-hand" else "self._available"
    methods = {
        "__init__": _store_init(level, "alias" if mistake == "alias" else ""),
        "receive": _lines(
            f"def receive(self, {site}item, qty):",
            f"    if not ({known}) or qty <= 0:\n        return False",
            f"    self._on_hand{at} += qty",
            "" if mistake == "receive-one-side" else f"    self._available{at} += qty",
            "    self._totals[item] += qty" if level >= 3 else "",
            "    return True",
        ),
    }
    if level == 1:
        methods["reserve"] = _lines(
            "def reserve(self, item, qty):",
            f"    if not ({known}) or not 0 < qty <= {room}[item]:\n        return False",
            "    self._reserved[item] += qty",
            "    self._available[item] -= qty",
            "    return True",
        )
        methods["release"] = _lines(
            "def release(self, item, qty):",
            f"    if not ({known}) or not 0 < qty <= self._reserved[item]:\n        return False",
            "    self._reserved[item] -= qty",
            "    self._available[item] += qty",
            "    return True",
        )
        methods["ship"] = _lines(
            "def ship(self, item, qty):",
            f"    if not ({known}) or not 0 < qty <= self._reserved[item]:\n        return False",
            "    self._on_hand[item] -= qty",
            "" if mistake == "ship-keeps-reservation" else "    self._reserved[item] -= qty",
            "    return True",
        )
    else:
        methods.update(_order_methods(level, mistake, at, site, known, room))
    methods["on_hand"] = _copy_method("on_hand", level)
    methods["reserved"] = _copy_method("reserved", level)
    methods["available"] = _copy_method("available", level)
    return methods


def _copy_method(name: str, level: int) -> str:
    inner = "{w: dict(s) for w, s in self._%s.items()}" if level >= 3 else "dict(self._%s)"
    return _lines(f"def {name}(self):", "    return " + inner % name)


def _order_methods(
    level: int, mistake: str, at: str, site: str, known: str, room: str
) -> dict[str, str]:
    deep = level >= 3
    walk = (
        "    for site, lines in self._orders[order].items():\n"
        "        for item, qty in lines.items():"
        if deep
        else "    for item, qty in self._orders[order].items():"
    )
    pad = "    " if deep else ""
    line = "self._orders.setdefault(order, {})" + (".setdefault(site, {})" if deep else "")
    methods = {
        "reserve": _lines(
            f"def reserve(self, order, {site}item, qty):",
            f"    if not ({known}) or not 0 < qty <= {room}{at}:\n        return False",
            f"    lines = {line}",
            "    lines[item] = lines.get(item, 0) + qty",
            f"    self._reserved{at} += qty",
            f"    self._available{at} -= qty",
            "    return True",
        ),
        "release": _lines(
            "def release(self, order):",
            "    if order not in self._orders:\n        return False",
            walk,
            f"    {pad}    self._reserved{at} -= qty",
            f"    {pad}    self._available{at} += qty",
            "" if mistake == "release-keeps-order" else "    del self._orders[order]",
            "    return True",
        ),
        "ship": _lines(
            "def ship(self, order):",
            "    if order not in self._orders:\n        return False",
            walk,
            f"    {pad}    self._on_hand{at} -= qty",
            ""
            if mistake == "ship-keeps-reservation"
            else f"    {pad}    self._reserved{at} -= qty",
            f"    {pad}    self._totals[item] -= qty"
            if deep and mistake != "totals-one-path"
            else "",
            "    del self._orders[order]",
            "    return True",
        ),
        "orders": _lines(
            "def orders(self):",
            "    return {o: {w: dict(l) for w, l in s.items()} for o, s in self._orders.items()}"
            if deep
            else "    return {o: dict(lines) for o, lines in self._orders.items()}",
        ),
    }
    if deep:
        free = "self._on_hand" if mistake == "transfer-ignores-reservations" else "self._available"
        methods["transfer"] = _lines(
            "def transfer(self, item, qty, source, target):",
            "    if source not in self._on_hand or target not in self._on_hand:\n        return False",
            "    if source == target or item not in self._on_hand[source]:\n        return False",
            f"    if not 0 < qty <= {free}[source][item]:\n        return False",
            "    for book in (self._on_hand, self._available):",
            "        book[source][item] -= qty",
            "        book[target][item] = book[target].get(item, 0) + qty",
            "    self._reserved[target].setdefault(item, 0)",
            "    return True",
        )
        methods["totals"] = _lines("def totals(self):", "    return dict(self._totals)")
    return methods


_FLAT = """
def flat(book, deep):
    if not deep:
        return dict(book)
    return {(w, i): q for w, s in book.items() for i, q in s.items()}
"""


def _store_couplings(level: int) -> dict[str, Any]:
    deep = level >= 3
    rules = [
        coupling(
            "available() is on_hand() minus reserved()",
            _FLAT
            + f"""
def holds(s):
    have, held, free = (flat(s[k], {deep}) for k in ('on_hand', 'reserved', 'available'))
    if not set(have) == set(held) == set(free):
        return "on_hand(), reserved() and available() do not cover the same items"
    for key in sorted(have, key=repr):
        if free[key] != have[key] - held[key]:
            return f"for {{key!r}}: available {{free[key]}}, on hand {{have[key]}}, reserved {{held[key]}}"
    return None
""",
        ),
        coupling(
            "reserved() never exceeds on_hand()",
            _FLAT
            + f"""
def holds(s):
    have, held = flat(s['on_hand'], {deep}), flat(s['reserved'], {deep})
    for key in sorted(held, key=repr):
        if not 0 <= held[key] <= have.get(key, 0):
            return f"for {{key!r}}: reserved {{held[key]}}, on hand {{have.get(key, 0)}}"
    return None
""",
        ),
    ]
    if level >= 2:
        walk = (
            "for o, sites in s['orders'].items():\n"
            "        for w, lines in sites.items():\n"
            "            for i, q in lines.items():\n"
            "                want[(w, i)] = want.get((w, i), 0) + q"
            if deep
            else "for o, lines in s['orders'].items():\n"
            "        for i, q in lines.items():\n"
            "            want[i] = want.get(i, 0) + q"
        )
        rules.append(
            coupling(
                "reserved() is the open orders summed per item",
                _FLAT
                + f"""
def holds(s):
    want = {{}}
    {walk}
    held = {{k: q for k, q in flat(s['reserved'], {deep}).items() if q}}
    if held != want:
        return f"reserved() (its nonzero entries) is {{held!r}}; the open orders add up to {{want!r}}"
    return None
""",
            )
        )
    if deep:
        rules.append(
            coupling(
                "totals() sums on_hand() over the sites",
                """
def holds(s):
    want = {}
    for site in s['on_hand'].values():
        for i, q in site.items():
            want[i] = want.get(i, 0) + q
    if s['totals'] != want:
        return f"totals() is {s['totals']!r}; on_hand() adds up to {want!r}"
    return None
""",
            )
        )
    return couplings(*rules)


def _store_doc(level: int, cls: str) -> str:
    deep = level >= 3
    where = "site, item" if deep else "item"
    shape = "{site: {item: quantity}}" if deep else "{item: quantity}"
    doc = [
        f"Stock kept as on hand, reserved and available quantities, built with `{cls}(stock)` "
        f"from {shape} (all of it on hand, none reserved). A call with an unknown "
        f"{'site or item' if deep else 'item'} or a quantity <= 0 is refused (returns False, "
        "nothing changes); every other call returns True.",
        "",
        f"- receive({where}, qty): qty more on hand (and available).",
    ]
    if level == 1:
        doc += [
            "- reserve(item, qty): set qty aside; refused unless qty <= the available quantity.",
            "- release(item, qty): qty reserved becomes available again; refused unless qty <= "
            "the reserved quantity.",
            "- ship(item, qty): qty reserved leaves the store (no longer on hand nor reserved); "
            "refused unless qty <= the reserved quantity.",
        ]
    else:
        doc += [
            f"- reserve(order, {where}, qty): set qty aside for order (an order may reserve "
            "several times; the quantities add up); refused unless qty <= the available "
            "quantity.",
            "- release(order): every quantity the order reserved becomes available again and the "
            "order closes; refused if the order is not open.",
            "- ship(order): every quantity the order reserved leaves the store (no longer on hand "
            "nor reserved) and the order closes; refused if the order is not open.",
            "- orders(): the open orders, {order: "
            + ("{site: {item: quantity}}}." if deep else "{item: quantity}}."),
        ]
    if deep:
        doc += [
            "- transfer(item, qty, source, target): move qty of available stock from site source "
            "to site target; refused if a site is unknown, they are the same, the item is not "
            "stocked at source or qty is not in 0 < qty <= available there.",
            "- totals(): {item: quantity on hand over all sites}.",
        ]
    doc += [
        f"- on_hand(), reserved(), available(): {shape} for every "
        + ("site and item." if deep else "item."),
        "",
        "Always: available = on hand - reserved, and 0 <= reserved <= on hand, for every "
        + ("site and item" if deep else "item")
        + (
            "; the reserved quantities are those of the open orders, summed." if level >= 2 else "."
        ),
    ]
    return "\n".join(doc)


STORE_MISTAKES = {
    "alias": "available starts as the very dictionary of on-hand stock, not a copy",
    "receive-one-side": "receive adds to the stock on hand but not to the available stock",
    "ship-keeps-reservation": "ship takes the stock off hand but leaves it reserved",
    "checks-on-hand": "reserve checks the stock on hand instead of the available stock",
    "release-keeps-order": "release frees the stock but leaves the order open",
    "transfer-ignores-reservations": "transfer moves stock that is on hand but reserved",
    "totals-one-path": "totals() is kept up to date by receive but not by ship",
}


def _store_mutants(level: int) -> list[Mutant]:
    names = ["alias", "receive-one-side", "ship-keeps-reservation", "checks-on-hand"]
    names += ["release-keeps-order"] if level >= 2 else []
    names += ["transfer-ignores-reservations", "totals-one-path"] if level >= 3 else []
    reference = _store_methods(level)
    out = []
    for name in names:
        wrong = _store_methods(level, name)
        changed = {k: v for k, v in wrong.items() if reference[k] != v}
        out.append(Mutant(name, STORE_MISTAKES[name], changed))
    return out


def make_inventory(level: int, rng: random.Random) -> Design:
    """Stock with reservations (level 2: per order; level 3: per site, transfers, totals)."""
    cls = pick(rng, STORE_NAMES)
    items = rng.sample(ITEMS, 2 + level)
    qty = [-1, 0, 1, 2, 3, 5, 8]
    if level >= 3:
        sites = rng.sample(SITES, 2)
        stock: dict[str, Any] = {w: {i: rng.randrange(0, 6) for i in items} for w in sites}
        where_pool: list[list[Any]] = [[*sites, "attic"], [*items, "ghost"]]
    else:
        stock = {i: rng.randrange(0, 6) for i in items}
        where_pool = [[*items, "ghost"]]
    wh = sample_args(rng, [*where_pool, qty], 10)
    choices: list[tuple[str, Any]] = [("receive", wh)]
    if level == 1:
        choices += [("reserve", wh), ("release", wh), ("ship", wh)]
    else:
        orders = ["o1", "o2", "o3"]
        choices += [
            ("reserve", sample_args(rng, [orders, *where_pool, qty], 14)),
            ("release", [[o] for o in [*orders, "o9"]]),
            ("ship", [[o] for o in [*orders, "o9"]]),
        ]
    first = [sites[0], items[0]] if level >= 3 else [items[0]]
    full = stock[sites[0]][items[0]] if level >= 3 else stock[items[0]]
    order = ["o1"] if level >= 2 else []
    closing = [("ship", order), ("reserve", [*order, *first, 1])] if level >= 2 else []
    adversarial: list[Steps] = [
        steps(("reserve", [*order, *first, full + 1]), ("receive", [*first, 2])),
        steps(("receive", [*first, 3]), ("reserve", [*order, *first, full + 3])),
        steps(
            ("receive", [*first, 4]),
            ("reserve", [*order, *first, 2]),
            ("ship", order or [*first, 2]),
        ),
        steps(
            ("receive", [*first, 2]),
            ("reserve", [*order, *first, full + 2]),
            ("reserve", [*order, *first, 1]),
        ),
        steps(
            ("receive", [*first, 2]),
            ("reserve", [*order, *first, 1]),
            ("release", order or [*first, 1]),
            *closing,
        ),
    ]
    if level >= 3:
        choices.append(("transfer", sample_args(rng, [[*items, "ghost"], qty, sites, sites], 10)))
        adversarial.append(
            steps(
                ("receive", [*first, 2]),
                ("reserve", ["o1", *first, full + 2]),
                ("transfer", [items[0], 1, sites[0], sites[1]]),
                ("ship", ["o1"]),
            )
        )
    adversarial += boundary_runs(choices, 3)
    observe = ["on_hand", "reserved", "available"] + (["orders"] if level >= 2 else [])
    observe += ["totals"] if level >= 3 else []
    spec = Spec(
        cls,
        _store_doc(level, cls),
        [stock],
        _store_methods(level),
        observe,
        "coupled",
        _store_couplings(level),
        lambda r: random_calls(r, choices, 4, 24),
        adversarial,
        _store_mutants(level),
        state_size=len(observe),
    )
    return Design(spec, depth=min(level, 3))
