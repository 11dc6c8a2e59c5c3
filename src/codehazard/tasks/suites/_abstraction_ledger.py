"""Capability ``transfers``: moving money between accounts without overdrawing, at four levels.

L1 ``settle(balances, transfers)`` with the refusal rule stated; L2 "apply the transfers,
never letting a balance go negative" (open: whether a transfer that cannot be paid in full is
refused or paid in part, a reading; implied: transfers apply in order, a balance may reach
exactly zero, the argument's accounts all come back); L3 a bank class (open, transfer,
balance, total); L4 a bank clerk's terminal from a user story: a parser, the accounts, a
journal and a formatter behind ``handle(line)``.
"""

from __future__ import annotations

import random

from codehazard.tasks.suites._abstraction_spec import Edit, Spec, Steps, pick

FUNCTIONS = ("settle", "apply_transfers", "run_payments", "post_transfers", "final_balances")
L2_FUNCTIONS = ("process_transfers", "end_of_day", "book_transfers", "apply_payments", "clear")
CLASSES = ("Bank", "Accounts", "Treasury", "Branch", "MoneyBox")
SYSTEMS = ("Teller", "BankDesk", "ClerkTerminal", "Counter", "BankShell")
NAMES = ("ann", "ben", "cat", "dan", "eve", "fay")

CORE = """
final = dict(ACCOUNTS)
for source, target, amount in transfers:
    if final[source] >= amount:
        final[source] -= amount
        final[target] += amount
return final
"""


def _transfers(rng: random.Random, names: list[str], count: int, top: int) -> list[list[object]]:
    out: list[list[object]] = []
    for _ in range(count):
        source, target = rng.sample(names, 2)
        out.append([source, target, rng.randint(1, top)])
    return out


def _accounts(rng: random.Random) -> dict[str, int]:
    names = sorted(rng.sample(NAMES, rng.randint(2, 4)))
    return {name: rng.choice((0, 5, 10, 20, rng.randint(0, 30))) for name in names}


def _l1(rng: random.Random) -> Spec:
    fn = pick(rng, FUNCTIONS)
    doc = (
        "Apply money transfers to account balances.\n\n"
        "balances maps account names to whole-number balances; transfers is a list of "
        "[source, target, amount] lists (both names are keys of balances, source != target, "
        "amount > 0), applied in order. A transfer moves amount from source to target, and is "
        "skipped (nothing changes) when the source's balance at that point is below amount. "
        "Return the final balances as a new dict with every account."
    )
    calls: list[list[object]] = [[{"ann": 5}, []], [{"ann": 5, "ben": 0}, [["ann", "ben", 5]]]]
    for _ in range(24):
        accounts = _accounts(rng)
        calls.append([accounts, _transfers(rng, list(accounts), rng.randint(1, 8), 25)])
    return Spec(
        fn,
        "function",
        f"def {fn}(balances, transfers):",
        doc,
        CORE.replace("ACCOUNTS", "balances"),
        [
            Edit("strict", "refuses a transfer of the whole balance", ((">= amount", "> amount"),)),
            Edit(
                "opening-balance",
                "checks the opening balance, not the current one",
                (("if final[source] >=", "if balances[source] >="),),
            ),
            Edit(
                "credit-anyway",
                "credits the target of a skipped transfer",
                (
                    (
                        "        final[source] -= amount\n        final[target] += amount\n",
                        "        final[source] -= amount\n    final[target] += amount\n",
                    ),
                ),
            ),
        ],
        calls=calls,
    )


L2_PHRASES = (
    "Apply a list of transfers, each (sender, receiver, amount), in order to the "
    "balances of accounts (a dict of name to balance), never letting a balance go "
    "negative. Return the final balances.",
    "accounts maps names to balances. Process the day's transfers, each a (sender, "
    "receiver, amount) triple, one after the other; no account may ever be "
    "overdrawn. Return the balances at the end of the day.",
)


def _l2(rng: random.Random) -> Spec:
    fn = pick(rng, L2_FUNCTIONS)
    doc = pick(rng, L2_PHRASES)
    calls: list[list[object]] = [
        [{"ann": 3, "ben": 1}, []],
        [{"ann": 10, "ben": 0}, [("ann", "ben", 10)]],
        [{"ann": 0, "ben": 5}, [("ben", "ann", 5), ("ann", "ben", 5)]],
    ]
    for _ in range(90):
        accounts = _accounts(rng)
        moves = _transfers(rng, list(accounts), rng.randint(1, 8), 25)
        calls.append([accounts, [tuple(m) for m in moves]])
    return Spec(
        fn,
        "function",
        f"def {fn}(accounts, transfers):",
        doc,
        CORE.replace("ACCOUNTS", "accounts"),
        [
            Edit(
                "strict",
                "refuses a transfer that empties the account",
                ((">= amount", "> amount"),),
            ),
            Edit(
                "opening-balance",
                "checks the opening balances only",
                (("if final[source] >=", "if accounts[source] >="),),
            ),
            Edit(
                "credit-anyway",
                "pays the receiver of a refused transfer",
                (
                    (
                        "        final[source] -= amount\n        final[target] += amount\n",
                        "        final[source] -= amount\n    final[target] += amount\n",
                    ),
                ),
            ),
            Edit(
                "changed-only",
                "returns only the accounts that took part in a transfer",
                (("return final", "return {n: final[n] for t in transfers for n in t[:2]}"),),
            ),
        ],
        readings=[
            Edit(
                "partial",
                "a transfer is paid as far as the balance allows",
                (
                    (
                        "    if final[source] >= amount:\n",
                        "    amount = min(amount, final[source])\n    if True:\n",
                    ),
                ),
            ),
        ],
        calls=calls,
    )


L3_BODY = """
def __init__(self):
    self._balances = {}

def open(self, name, balance):
    if name in self._balances or balance < 0:
        return False
    self._balances[name] = balance
    return True

def transfer(self, source, target, amount):
    known = source in self._balances and target in self._balances
    if not known or source == target or amount <= 0:
        return False
    if self._balances[source] < amount:
        return False
    self._balances[source] -= amount
    self._balances[target] += amount
    return True

def balance(self, name):
    return self._balances.get(name)

def total(self):
    return sum(self._balances.values())
"""


def _class_steps(rng: random.Random) -> Steps:
    names = rng.sample(NAMES, 4)
    steps: Steps = [("open", [names[0], rng.randint(0, 20)]), ("open", [names[1], 10])]
    for _ in range(rng.randint(3, 14)):
        roll = rng.random()
        if roll < 0.2:
            steps.append(("open", [rng.choice(names), rng.choice((-1, 0, 7, 15))]))
        elif roll < 0.7:
            source, target = rng.choice(names), rng.choice(names)
            steps.append(("transfer", [source, target, rng.choice((-3, 0, 1, 5, 10, 20))]))
        elif roll < 0.9:
            steps.append(("balance", [rng.choice(names)]))
        else:
            steps.append(("total", []))
    return steps


def _l3(rng: random.Random) -> Spec:
    cls = pick(rng, CLASSES)
    doc = (
        "Accounts holding whole-number balances.\n\n"
        f"- {cls}(): no accounts.\n"
        "- open(name, balance) -> bool: open an account; False (nothing changes) when the "
        "name is taken or balance < 0.\n"
        "- transfer(source, target, amount) -> bool: move amount from source to target; False "
        "(nothing changes) unless both accounts exist, source != target, amount > 0 and the "
        "source's balance is at least amount.\n"
        "- balance(name): the account's balance, or None for an unknown name.\n"
        "- total() -> int: the sum of all balances."
    )
    return Spec(
        cls,
        "class",
        f"class {cls}:",
        doc,
        L3_BODY,
        [
            Edit(
                "strict",
                "refuses a transfer of the whole balance",
                (("self._balances[source] < amount", "self._balances[source] <= amount"),),
            ),
            Edit(
                "reopen",
                "open replaces an existing account",
                (("if name in self._balances or balance < 0", "if balance < 0"),),
            ),
            Edit(
                "self-transfer",
                "accepts a transfer to the same account",
                (("if not known or source == target or", "if not known or"),),
            ),
            Edit(
                "negative-amount", "accepts amounts of zero or less", ((" or amount <= 0:", ":"),)
            ),
        ],
        sequences=[
            [
                ("open", ["ann", 10]),
                ("open", ["ben", 0]),
                ("transfer", ["ann", "ben", 10]),
                ("balance", ["ann"]),
                ("total", []),
            ],
            *(_class_steps(rng) for _ in range(24)),
        ],
    )


L4_BODY = '''
class Accounts:
    def __init__(self):
        self.balances = {}

    def open(self, name, amount):
        if name in self.balances:
            return False
        self.balances[name] = amount
        return True

    def pay(self, source, target, amount):
        """'ok', 'insufficient funds' or 'error'."""
        if source not in self.balances or target not in self.balances or source == target:
            return "error"
        if self.balances[source] < amount:
            return "insufficient funds"
        self.balances[source] -= amount
        self.balances[target] += amount
        return "ok"


class Journal:
    def __init__(self):
        self.entries = {}

    def record(self, name, change):
        self.entries.setdefault(name, []).append(change)

    def statement(self, name):
        return " ".join(f"{c:+d}" for c in self.entries.get(name, [])) or "none"


def parse(line):
    parts = line.split()
    if len(parts) == 3 and parts[0] == "open" and parts[2].isdigit():
        return ("open", parts[1], int(parts[2]))
    if len(parts) == 4 and parts[0] == "pay" and parts[3].isdigit() and int(parts[3]) > 0:
        return ("pay", parts[1], parts[2], int(parts[3]))
    if len(parts) == 2 and parts[0] in ("balance", "statement"):
        return (parts[0], parts[1])
    return None


class ENTRY:
    def __init__(self):
        self._accounts = Accounts()
        self._journal = Journal()

    def handle(self, line):
        command = parse(line)
        if command is None:
            return "error"
        if command[0] == "open":
            opened = self._accounts.open(command[1], command[2])
            return f"opened {command[1]}" if opened else "error"
        if command[0] == "pay":
            _, source, target, amount = command
            answer = self._accounts.pay(source, target, amount)
            if answer == "ok":
                self._journal.record(source, -amount)
                self._journal.record(target, amount)
            return answer
        if command[1] not in self._accounts.balances:
            return "error"
        if command[0] == "balance":
            return str(self._accounts.balances[command[1]])
        return self._journal.statement(command[1])
'''


def _session(rng: random.Random) -> Steps:
    names = rng.sample(NAMES, 4)
    steps: Steps = [("handle", [f"open {names[0]} {rng.randint(0, 30)}"])]
    steps.append(("handle", [f"open {names[1]} {rng.randint(0, 30)}"]))
    for _ in range(rng.randint(4, 18)):
        roll = rng.random()
        if roll < 0.12:
            line = f"open {rng.choice(names)} {rng.randint(0, 20)}"
        elif roll < 0.6:
            a, b = rng.choice(names[:3]), rng.choice(names[:3])
            line = f"pay {a} {b} {rng.choice((1, 5, 10, 15, 30))}"
        elif roll < 0.92:
            line = f"{rng.choice(('balance', 'statement'))} {rng.choice(names[:3])}"
        else:
            line = rng.choice(("pay ann", "open x -5", f"pay {names[0]} {names[1]} 0", "help"))
        steps.append(("handle", [line]))
    return steps


def _story(entry: str) -> str:
    """The user story and its acceptance criteria."""
    return (
        "As a bank clerk, I want to type commands that open accounts, move money between "
        "them and print an account's balance and statement, so that I can serve customers "
        "at the counter.\n\n"
        f"The terminal is used through one class, `{entry}()`, with one method, "
        "`handle(line) -> str`, called once per command (amounts are whole numbers):\n\n"
        "- `open <name> <amount>` (amount 0 or more): the answer is `opened <name>`, or "
        "`error` when the name is taken.\n"
        "- `pay <from> <to> <amount>`: moves the money and answers `ok`; `error` when an "
        "account is unknown, the two are the same or the amount is not above 0; otherwise "
        "`insufficient funds` when the payer has less than the amount (nothing moves).\n"
        "- `balance <name>`: the balance, e.g. `25`.\n"
        "- `statement <name>`: the account's payments in order as signed amounts, e.g. "
        "`-5 +20` (`none` when there are none).\n"
        "- any other line, or an unknown name: the answer is `error`."
    )


def _l4(rng: random.Random) -> Spec:
    entry = pick(rng, SYSTEMS)
    doc = _story(entry)
    record = (
        '            if answer == "ok":\n'
        "                self._journal.record(source, -amount)\n"
        "                self._journal.record(target, amount)\n"
    )
    return Spec(
        entry,
        "module",
        None,
        doc,
        L4_BODY.replace("ENTRY", entry),
        [
            Edit(
                "journal-refused",
                "the journal records refused payments too (wiring)",
                (
                    (
                        record,
                        record.replace(
                            '            if answer == "ok":\n', "            if True:\n"
                        ),
                    ),
                ),
            ),
            Edit(
                "journal-one-side",
                "the journal records the payer's side only (wiring)",
                (("                self._journal.record(target, amount)\n", ""),),
            ),
            Edit(
                "strict",
                "refuses a payment of the whole balance",
                (("self.balances[source] < amount", "self.balances[source] <= amount"),),
            ),
            Edit(
                "self-pay",
                "accepts a payment to the same account",
                ((" or source == target:", ":"),),
            ),
        ],
        sequences=[
            [
                ("handle", [line])
                for line in (
                    "open ann 10",
                    "open ben 0",
                    "pay ann ben 10",
                    "pay ben ann 15",
                    "statement ben",
                    "balance ann",
                )
            ],
            *(_session(rng) for _ in range(28)),
        ],
        components=4,
    )


def make_ledger(level: int, rng: random.Random) -> Spec:
    """The transfers capability at ``level`` (1-4)."""
    return (_l1, _l2, _l3, _l4)[level - 1](rng)
