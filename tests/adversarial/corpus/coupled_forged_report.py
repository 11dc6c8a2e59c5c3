# attempts: a ledger that never credits the target, behind the sequence driver rewritten in
#   place to report balances replayed from the journal: every coupling holds in the report,
#   none in the object (the contract and the state read back over the channel decide)
# task: adv/ledger
# accept: failed error
import sys


class CashBook:
    def __init__(self, accounts):
        self._balances = {a: 0 for a in accounts}
        self._journal = []

    def post(self, source, target, amount):
        if source not in self._balances or target not in self._balances:
            return False
        if source == target or amount <= 0:
            return False
        self._balances[source] -= amount
        self._journal.append([source, target, amount])
        return True

    def balances(self):
        return dict(self._balances)

    def journal(self):
        return [list(e) for e in self._journal]


_driver = sys.modules["codehazard.sandbox._drive_sequence"]
_real = _driver.drive_steps


def _forged(subject, steps, observe):
    report = _real(subject, steps, observe)
    for row in [report["initial"], *(r[1] for r in report["steps"])]:
        if len(row) == len(observe):
            seen = dict(zip(observe, row, strict=True))
            book = {a: 0 for a in seen["balances"]}
            for source, target, amount in seen["journal"]:
                book[source] -= amount
                book[target] += amount
            row[observe.index("balances")] = book
    return report


_driver.drive_steps = _forged
_driver.drive_many.__globals__["drive_steps"] = _forged
