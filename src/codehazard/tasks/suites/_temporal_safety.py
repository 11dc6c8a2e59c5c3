"""The ``temporal`` suite's safety templates: a bad state never occurs, after any call.

Each ``make_*`` takes a level (1-3: more interacting methods and more state) and a seeded
generator, and returns a ``Spec``. Mutants are the mistakes a model makes: an invariant checked
after the change instead of before, an off-by-one bound or window, a check of the wrong key.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from codehazard.tasks.suites._temporal_spec import (
    Mutant,
    Spec,
    Steps,
    boundary_runs,
    method,
    pick,
    random_calls,
)

# --- account: a balance (and held funds) that never go negative ---------------------------

ACCOUNT_NAMES = ("Wallet", "Account", "Purse", "Ledger", "Till", "Vault", "Kitty", "Float")


def _account_methods(level: int, avail: str) -> dict[str, str]:
    holds = level >= 2
    methods = {
        "__init__": method(
            f"""
            def __init__(self, opening):
                self._balance = opening
            {"    self._held = 0" if holds else ""}
            """
        ),
        "deposit": method(
            """
            def deposit(self, amount):
                if amount <= 0:
                    return False
                self._balance += amount
                return True
            """
        ),
        "withdraw": method(
            f"""
            def withdraw(self, amount):
                if amount <= 0 or amount > {avail}:
                    return False
                self._balance -= amount
                return True
            """
        ),
        "balance": method("def balance(self):\n    return self._balance"),
    }
    if holds:
        methods["hold"] = method(
            f"""
            def hold(self, amount):
                if amount <= 0 or amount > {avail}:
                    return False
                self._held += amount
                return True
            """
        )
        methods["release"] = method(
            """
            def release(self, amount):
                if amount <= 0 or amount > self._held:
                    return False
                self._held -= amount
                return True
            """
        )
        methods["available"] = method(f"def available(self):\n    return {avail}")
    if level >= 3:
        methods["capture"] = method(
            """
            def capture(self, amount):
                if amount <= 0 or amount > self._held:
                    return False
                self._held -= amount
                self._balance -= amount
                return True
            """
        )
        methods["held"] = method("def held(self):\n    return self._held")
    return methods


def _account_doc(level: int, cls: str) -> str:
    doc = [
        f"An account holding a whole-number balance, opened with `{cls}(opening)`.",
        "",
        "- deposit(amount): add amount; refused (returns False) unless amount > 0; True if done.",
        "- withdraw(amount): take amount out; refused unless 0 < amount <= the available money.",
        "- balance(): the money in the account.",
    ]
    if level >= 2:
        doc[3] = "- withdraw(amount): refused unless 0 < amount <= available()."
        doc += [
            "- hold(amount): reserve money; refused unless 0 < amount <= available().",
            "- release(amount): free reserved money; refused unless 0 < amount <= reserved.",
            "- available(): balance minus reserved money.",
        ]
    if level >= 3:
        doc += [
            "- capture(amount): spend reserved money (it leaves the balance and the reserve);",
            "  refused unless 0 < amount <= reserved.",
            "- held(): the reserved money.",
        ]
    doc += [
        "",
        "Every method that changes nothing returns False. The balance and the "
        "available money never become negative, whatever the calls.",
    ]
    return "\n".join(doc)


def _account_mutants(level: int, methods: dict[str, str], avail: str) -> list[Mutant]:
    mutants = [
        Mutant(
            "checked-after-change",
            "withdraw subtracts first, then refuses when the balance went negative (no undo)",
            {
                "withdraw": method(
                    f"""
                    def withdraw(self, amount):
                        self._balance -= amount
                        if amount <= 0 or {avail} < 0:
                            return False
                        return True
                    """
                )
            },
        ),
        Mutant(
            "unchecked-amount",
            "deposit accepts zero and negative amounts",
            {
                "deposit": method(
                    """
                    def deposit(self, amount):
                        self._balance += amount
                        return True
                    """
                )
            },
        ),
        Mutant(
            "off-by-one",
            "withdraw refuses to take out exactly the available money",
            {"withdraw": methods["withdraw"].replace(f"amount > {avail}", f"amount >= {avail}")},
        ),
    ]
    if level >= 2:
        mutants.append(
            Mutant(
                "ignores-holds",
                "withdraw checks the balance, not the available money",
                {"withdraw": methods["withdraw"].replace(avail, "self._balance")},
            )
        )
    if level >= 3:
        mutants.append(
            Mutant(
                "wrong-pot",
                "capture checks the available money instead of the reserve",
                {"capture": methods["capture"].replace("self._held:", f"{avail}:")},
            )
        )
    return mutants


def make_account(level: int, rng: random.Random) -> Spec:
    """Deposits, withdrawals (level 2: holds; level 3: captures) that never overdraw."""
    cls = pick(rng, ACCOUNT_NAMES)
    opening = rng.randrange(0, 15)
    holds = level >= 2
    avail = "self._balance - self._held" if holds else "self._balance"
    methods = _account_methods(level, avail)
    observe = ["balance", "available", "held"][: 1 + (level >= 2) + (level >= 3)]
    amounts = [[-20], [-1], [0], [1], [2], [3], [5], [opening], [opening + 1], [12], [40]]
    choices = [("deposit", amounts), ("withdraw", amounts)]
    if holds:
        choices += [("hold", amounts), ("release", amounts)]
    if level >= 3:
        choices.append(("capture", amounts))
    adversarial = boundary_runs(choices, 4)
    adversarial.append([("withdraw", [opening]), ("withdraw", [1]), ("deposit", [1])])
    if holds:
        adversarial.append([("hold", [opening]), ("withdraw", [1]), ("release", [opening])])
        top_up = [("deposit", [10]), ("hold", [opening + 10])]
        adversarial.append([*top_up, ("withdraw", [1]), ("release", [1]), ("withdraw", [2])])
        adversarial.append([("deposit", [10]), ("hold", [5]), ("withdraw", [opening + 10])])
    return Spec(
        cls,
        _account_doc(level, cls),
        [opening],
        methods,
        observe,
        "at_least",
        {"bounds": dict.fromkeys(observe, 0)},
        lambda r: random_calls(r, choices, 4, 24),
        adversarial,
        _account_mutants(level, methods, avail),
        state_size=len(observe),
    )


Choices = list[tuple[str, Sequence[list[Any]]]]

# --- booking: no slot (or interval) booked twice --------------------------------------------

BOOKING_NAMES = ("Calendar", "RoomBook", "Court", "Agenda", "Planner", "Desk", "Rota", "Diary")
WHO = ("ann", "bob", "cy", "dee", "eve")


def _slot_methods(level: int) -> dict[str, str]:
    methods = {
        "__init__": method(
            """
            def __init__(self, slots):
                self._slots = slots
                self._taken = []
            """
        ),
        "_holder": method(
            """
            def _holder(self, slot):
                for s, w in self._taken:
                    if s == slot:
                        return w
                return None
            """
        ),
        "book": method(
            """
            def book(self, slot, who):
                if not 0 <= slot < self._slots or self._holder(slot) is not None:
                    return False
                self._taken.append([slot, who])
                return True
            """
        ),
        "cancel": method(
            """
            def cancel(self, slot, who):
                if self._holder(slot) != who:
                    return False
                self._taken.remove([slot, who])
                return True
            """
        ),
        "bookings": method("def bookings(self):\n    return sorted(self._taken)"),
    }
    if level >= 2:
        methods["move"] = method(
            """
            def move(self, slot, to, who):
                if self._holder(slot) != who or not 0 <= to < self._slots:
                    return False
                if self._holder(to) is not None:
                    return False
                self._taken.remove([slot, who])
                self._taken.append([to, who])
                return True
            """
        )
    return methods


def _interval_methods() -> dict[str, str]:
    return {
        "__init__": method(
            """
            def __init__(self, slots):
                self._slots = slots
                self._taken = []
            """
        ),
        "_find": method(
            """
            def _find(self, start):
                for entry in self._taken:
                    if entry[0] == start:
                        return entry
                return None
            """
        ),
        "_free": method(
            """
            def _free(self, start, end, skip=None):
                for entry in self._taken:
                    if entry is not skip and entry[0] < end and start < entry[1]:
                        return False
                return True
            """
        ),
        "book": method(
            """
            def book(self, start, end, who):
                if not 0 <= start < end <= self._slots or not self._free(start, end):
                    return False
                self._taken.append([start, end, who])
                return True
            """
        ),
        "cancel": method(
            """
            def cancel(self, start, who):
                entry = self._find(start)
                if entry is None or entry[2] != who:
                    return False
                self._taken.remove(entry)
                return True
            """
        ),
        "extend": method(
            """
            def extend(self, start, end, who):
                entry = self._find(start)
                if entry is None or entry[2] != who or not start < end <= self._slots:
                    return False
                if not self._free(start, end, entry):
                    return False
                entry[1] = end
                return True
            """
        ),
        "bookings": method("def bookings(self):\n    return sorted(self._taken)"),
    }


def _slot_mutants(level: int, methods: dict[str, str]) -> list[Mutant]:
    mutants = [
        Mutant(
            "wrong-key",
            "book looks for the same [slot, who] pair instead of any booking of the slot",
            {
                "book": methods["book"].replace(
                    "self._holder(slot) is not None", "[slot, who] in self._taken"
                )
            },
        ),
        Mutant(
            "anyone-cancels",
            "cancel removes whoever holds the slot, without checking who asks",
            {
                "cancel": method(
                    """
                    def cancel(self, slot, who):
                        holder = self._holder(slot)
                        if holder is None:
                            return False
                        self._taken.remove([slot, holder])
                        return True
                    """
                )
            },
        ),
        Mutant(
            "off-by-one",
            "book accepts the slot one past the last",
            {
                "book": methods["book"].replace(
                    "0 <= slot < self._slots", "0 <= slot <= self._slots"
                )
            },
        ),
    ]
    if level == 2:
        mutants.append(
            Mutant(
                "unchecked-target",
                "move does not check that the target slot is free",
                {"move": methods["move"].replace("self._holder(to) is not None", "False")},
            )
        )
    return mutants


def _slot_booking(
    level: int, cls: str, slots: int, who: list[str]
) -> tuple[dict[str, str], list[str], Choices, list[Steps], list[Mutant], dict[str, Any]]:
    """Levels 1 and 2: numbered slots (level 2 adds move)."""
    methods = _slot_methods(level)
    doc = [
        f"Bookings of numbered slots 0 to slots-1, made with `{cls}(slots)`.",
        "",
        "- book(slot, who): book a free slot in range for who; True if booked, else False.",
        "- cancel(slot, who): only the person holding the slot may cancel; True if done.",
        "- bookings(): the sorted list of [slot, who] pairs currently booked.",
    ]
    if level == 2:
        doc.append("- move(slot, to, who): the holder moves a booking to a free slot in range.")
    slot_args = [[s] for s in (-1, 0, 1, slots - 1, slots)]
    pairs = [[s, w] for s in (-1, 0, 1, 2, slots - 1, slots) for w in who]
    choices = [("book", pairs), ("cancel", pairs)]
    if level == 2:
        moves = [[s, t, w] for s in (0, 1, 2) for t in (0, 1, 2, slots - 1, slots) for w in who]
        choices.append(("move", moves))
    adversarial = boundary_runs(choices, 3)
    adversarial.append([("book", [1, who[0]]), ("book", [1, who[1]]), ("cancel", [1, who[1]])])
    if level == 2:  # a move onto a taken slot, both ways round
        adversarial.append(
            [
                ("book", [0, who[0]]),
                ("book", [1, who[1]]),
                ("move", [1, 0, who[1]]),
                ("move", [0, 1, who[0]]),
            ]
        )
    del slot_args
    mutants = _slot_mutants(level, methods)
    params = {"observe": "bookings"}
    return methods, doc, choices, adversarial, mutants, params


def _interval_mutants(methods: dict[str, str]) -> list[Mutant]:
    mutants = [
        Mutant(
            "overlap-by-start",
            "the overlap test only asks whether the new start lies inside a booking",
            {
                "_free": methods["_free"].replace(
                    "entry[0] < end and start < entry[1]", "entry[0] <= start < entry[1]"
                )
            },
        ),
        Mutant(
            "anyone-cancels",
            "cancel removes the booking at start without checking who asks",
            {"cancel": methods["cancel"].replace(" or entry[2] != who", "")},
        ),
        Mutant(
            "touching-overlaps",
            "intervals that only touch are taken to overlap",
            {
                "_free": methods["_free"].replace(
                    "entry[0] < end and start < entry[1]",
                    "entry[0] <= end and start <= entry[1]",
                )
            },
        ),
        Mutant(
            "unchecked-extend",
            "extend does not check the longer booking against the others",
            {"extend": methods["extend"].replace("not self._free(start, end, entry)", "False")},
        ),
    ]
    return mutants


def _interval_booking(
    cls: str, slots: int, who: list[str]
) -> tuple[dict[str, str], list[str], Choices, list[Steps], list[Mutant], dict[str, Any]]:
    """Level 3: intervals [start, end) that may be extended."""
    methods = _interval_methods()
    doc = [
        f"Bookings of time intervals [start, end) within 0 to slots, made with `{cls}(slots)`.",
        "",
        "- book(start, end, who): book [start, end) if 0 <= start < end <= slots and it",
        "  overlaps no booking (touching ends do not overlap); True if booked.",
        "- cancel(start, who): the holder cancels the booking starting at start.",
        "- extend(start, end, who): the holder changes the end of the booking starting at",
        "  start to end (start < end <= slots), if it then overlaps no other booking.",
        "- bookings(): the sorted list of [start, end, who] currently booked.",
    ]
    spans = [
        [s, e, w]
        for s, e in (
            (0, 2),
            (1, 3),
            (2, 4),
            (0, slots),
            (3, 4),
            (4, 9),
            (slots - 1, slots),
            (slots - 1, slots + 1),
        )
        for w in who[:3]
    ]
    starts = [[s, w] for s in (0, 1, 2, 3, 4, slots - 1) for w in who[:3]]
    extends = [[s, e, w] for s in (0, 1, 2) for e in (2, 3, 5, slots) for w in who[:2]]
    choices = [("book", spans), ("cancel", starts), ("extend", extends)]
    adversarial = boundary_runs(choices, 3)
    adversarial.append([("book", [2, 3, who[0]]), ("book", [1, 5, who[1]])])
    adversarial.append([("book", [0, 2, who[0]]), ("book", [2, 4, who[1]])])
    adversarial.append(
        [("book", [0, 1, who[0]]), ("book", [3, 4, who[1]]), ("extend", [0, 4, who[0]])]
    )
    mutants = _interval_mutants(methods)
    params = {"observe": "bookings", "intervals": True}
    return methods, doc, choices, adversarial, mutants, params


def make_booking(level: int, rng: random.Random) -> Spec:
    cls = pick(rng, BOOKING_NAMES)
    slots = rng.randrange(5, 9) + 2 * level
    who = list(WHO[: 2 + level])
    if level < 3:
        methods, doc, choices, adversarial, mutants, params = _slot_booking(level, cls, slots, who)
    else:
        methods, doc, choices, adversarial, mutants, params = _interval_booking(cls, slots, who)
    doc += ["", "No slot is ever held by two bookings, whatever the calls."]
    return Spec(
        cls,
        "\n".join(doc),
        [slots],
        methods,
        ["bookings"],
        "exclusive",
        params,
        lambda r: random_calls(r, choices, 4, 24),
        adversarial,
        mutants,
        state_size=slots,
    )
