"""The ``interdependence`` suite's inventory template: on hand, reserved, available, orders.

``make_inventory`` takes a level (1-3: more coupled variables, deeper nesting) and a seeded
generator and returns a ``Design``. The couplings are the stock identities: available is on
hand minus reserved, reserved never exceeds on hand, reserved is the open orders summed, the
totals sum the sites. Mutants are the mistakes a model makes keeping them in step: available
aliased to the on-hand dictionary, one side of a move forgotten, a check against the wrong
quantity, an order left open, a derived total kept on one path only.
"""

from __future__ import annotations

import random
from typing import Any

from codehazard.tasks.suites._interdep_spec import (
    Design,
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
    pick,
    random_calls,
)

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
            "    if source not in self._on_hand or target not in self._on_hand:",
            "        return False",
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
            got = f"available {{free[key]}}, on hand {{have[key]}}, reserved {{held[key]}}"
            return f"for {{key!r}}: {{got}}"
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
        orders = f"the open orders add up to {{want!r}}"
        return f"reserved() (its nonzero entries) is {{held!r}}; {{orders}}"
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
