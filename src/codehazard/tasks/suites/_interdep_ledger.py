"""The ``interdependence`` suite's bookkeeping template: a double-entry ledger.

Each ``make_*`` takes a level (1-3: more coupled variables, deeper nesting) and a seeded
generator and returns a ``Design``. The couplings are the bookkeeping identities: balances
that sum to zero and replay from the journal, reversal marks that match the reversals, a
volume that totals the journal. Mutants are the mistakes a model makes keeping two
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
