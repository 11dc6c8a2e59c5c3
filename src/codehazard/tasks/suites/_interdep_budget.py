"""The ``interdependence`` suite's budget template: a category tree whose totals roll up.

``make_budget`` keeps spending on the leaves of a tree of categories, the total of every
category (its children's summed), a flat record of what each leaf spent and a grand total.
The tree is one level deep at level 1, two at level 2 and three at level 3, so the nesting
depth is what grows. Mutants are the mistakes a model makes rolling totals up a tree: leaves
that are one shared dictionary, a refund or move that updates the leaf but not its
ancestors (or not the flat record), a walk up the path that skips the middle.
"""

from __future__ import annotations

import random
from typing import Any

from codehazard.tasks.suites._interdep_spec import Design, coupling, couplings, sample_args, steps
from codehazard.tasks.suites._temporal_spec import (
    Mutant,
    Spec,
    Steps,
    boundary_runs,
    pick,
    random_calls,
)

BUDGET_NAMES = ("Budget", "CostTree", "Spending", "Expenses", "Allocation", "Outlay", "Purse")
CATEGORIES = ("ops", "it", "travel", "food", "rent", "ads", "cloud", "tools", "staff", "legal")
CATEGORIES += ("books", "train", "hotel", "print", "web", "desk", "cafe", "fuel", "post", "gym")


def _lines(*lines: str) -> str:
    return "".join(line + "\n" for line in lines if line)


def _budget_methods(mistake: str = "") -> dict[str, str]:
    leaf = "leaf" if mistake == "shared-leaves" else "{'total': 0}"
    walk = "(nodes[0], nodes[-1]) if len(nodes) > 1 else nodes"
    return {
        "__init__": _lines(
            "def __init__(self, tree):",
            "    self._root = self._build(tree)",
            "    self._spent = {}",
            "    self._grand = 0",
            "    self._leaves(self._root, '')",
        ),
        "_build": _lines(
            "def _build(self, tree):",
            "    leaf = {'total': 0}" if mistake == "shared-leaves" else "",
            f"    return {{name: ({{'total': 0, 'children': self._build(sub)}} if sub else {leaf})",
            "            for name, sub in tree.items()}",
        ),
        "_leaves": _lines(
            "def _leaves(self, level, prefix):",
            "    for name, node in level.items():",
            "        if 'children' in node:",
            "            self._leaves(node['children'], prefix + name + '/')",
            "        else:",
            "            self._spent[prefix + name] = 0",
        ),
        "_chain": _lines(
            "def _chain(self, path):",
            "    if type(path) is not str or path not in self._spent:",
            "        return None",
            "    level, nodes = self._root, []",
            "    for name in path.split('/'):",
            "        nodes.append(level[name])",
            "        level = level[name].get('children', {})",
            "    return nodes",
        ),
        "_apply": _lines(
            "def _apply(self, nodes, path, amount):",
            f"    for node in {walk if mistake == 'skips-middle' else 'nodes'}:",
            "        node['total'] += amount",
            "    self._spent[path] += amount",
            "    self._grand += amount",
        ),
        "spend": _lines(
            "def spend(self, path, amount):",
            "    nodes = self._chain(path)",
            "    if nodes is None or amount <= 0:\n        return False",
            "    self._apply(nodes, path, amount)",
            "    return True",
        ),
        "refund": _lines(
            "def refund(self, path, amount):",
            "    nodes = self._chain(path)",
            "    if nodes is None or not 0 < amount <= self._spent[path]:\n        return False",
            "    nodes[-1]['total'] -= amount\n    self._spent[path] -= amount\n"
            "    self._grand -= amount"
            if mistake == "refund-leaf-only"
            else "    for node in nodes:\n        node['total'] -= amount\n"
            "    self._spent[path] -= amount"
            if mistake == "refund-skips-grand"
            else "    self._apply(nodes, path, -amount)",
            "    return True",
        ),
        "move": _lines(
            "def move(self, source, target, amount):",
            "    a, b = self._chain(source), self._chain(target)",
            "    if a is None or b is None or source == target:\n        return False",
            "    if not 0 < amount <= self._spent[source]:\n        return False",
            "    for node in a:\n        node['total'] -= amount\n"
            "    for node in b:\n        node['total'] += amount"
            if mistake == "move-skips-record"
            else "    self._apply(a, source, -amount)\n    self._apply(b, target, amount)",
            "    return True",
        ),
        "tree": _lines(
            "def tree(self):",
            "    def copy(level):",
            "        return {n: ({'total': v['total'], 'children': copy(v['children'])}",
            "                    if 'children' in v else {'total': v['total']})",
            "                for n, v in level.items()}",
            "    return copy(self._root)",
        ),
        "spent": _lines("def spent(self):", "    return dict(self._spent)"),
        "grand_total": _lines("def grand_total(self):", "    return self._grand"),
    }


BUDGET_MISTAKES = {
    "shared-leaves": "the leaves of one category are one shared dictionary",
    "refund-leaf-only": "refund lowers the leaf's total but not its categories' totals",
    "refund-skips-grand": "refund lowers the leaf's total but not the grand total",
    "move-skips-record": "move changes the totals in the tree but not spent()",
    "skips-middle": "the walk up the path updates the leaf and the top category, not those between",
}

_WALK = """
def walk(level, prefix, out):
    for name, node in level.items():
        if 'children' in node:
            inner = sum(child['total'] for child in node['children'].values())
            if node['total'] != inner:
                return f"{prefix + name!r} totals {node['total']}; its children sum to {inner}"
            wrong = walk(node['children'], prefix + name + '/', out)
            if wrong:
                return wrong
        else:
            out[prefix + name] = node['total']
    return None
"""


def _budget_couplings() -> dict[str, Any]:
    return couplings(
        coupling(
            "every category's total is the sum of its children's",
            _WALK + "\ndef holds(s):\n    return walk(s['tree'], '', {})\n",
        ),
        coupling(
            "the leaves' totals are spent()",
            _WALK
            + """
def holds(s):
    leaves = {}
    if walk(s['tree'], '', leaves) is None and leaves != s['spent']:
        return f"the leaves of tree() total {leaves!r}; spent() is {s['spent']!r}"
    return None
""",
        ),
        coupling(
            "grand_total() is the sum of the top categories",
            """
def holds(s):
    want = sum(node['total'] for node in s['tree'].values())
    if s['grand_total'] != want:
        return f"grand_total() is {s['grand_total']!r}; the top categories sum to {want}"
    return None
""",
        ),
    )


def _tree(rng: random.Random, depth: int) -> dict[str, Any]:
    names = iter(rng.sample(CATEGORIES, 18))

    def grow(level: int) -> dict[str, Any]:
        width = 3 if level == depth else 2
        return {next(names): (grow(level + 1) if level < depth else {}) for _ in range(width)}

    return grow(1)


def _paths(tree: dict[str, Any], prefix: str = "") -> list[str]:
    out: list[str] = []
    for name, sub in tree.items():
        out += _paths(sub, prefix + name + "/") if sub else [prefix + name]
    return out


def _budget_doc(cls: str, depth: int) -> str:
    return "\n".join(
        [
            f"Spending over a tree of categories, `{cls}(tree)`: tree maps each category name "
            "to the tree of its subcategories ({} for a leaf); "
            f"{depth} level{'s' if depth > 1 else ''} deep here. Money is spent on leaves, "
            "named by their path ('group/leaf'); every total starts at 0. A path that is not a "
            "leaf, or an amount <= 0, is refused (returns False, nothing changes); every other "
            "call returns True.",
            "",
            "- spend(path, amount): the leaf spends amount more.",
            "- refund(path, amount): the leaf spends amount less; refused unless amount <= what "
            "it has spent.",
            "- move(source, target, amount): amount of what leaf source spent is counted on leaf "
            "target instead; refused if source == target or amount is more than source spent.",
            "- tree(): the categories as {name: {'total': t, 'children': {...}}}, a leaf as "
            "{name: {'total': t}}.",
            "- spent(): {leaf path: what it spent} for every leaf.",
            "- grand_total(): everything spent.",
            "",
            "A category's total is always the sum of its children's totals.",
        ]
    )


def make_budget(level: int, rng: random.Random) -> Design:
    """A category tree ``level`` deep whose totals roll up to a grand total."""
    cls = pick(rng, BUDGET_NAMES)
    tree = _tree(rng, level)
    paths = _paths(tree)
    top = next(iter(tree))
    pool = [*paths, top, "nowhere"]
    amounts = [-1, 0, 1, 2, 5]
    spends = sample_args(rng, [pool, amounts], 12)
    moves = sample_args(rng, [pool, pool, amounts], 12)
    choices: list[tuple[str, Any]] = [("spend", spends), ("refund", spends), ("move", moves)]
    a, b, z = paths[0], paths[1], paths[-1]
    adversarial: list[Steps] = [
        steps(("spend", [a, 5]), ("spend", [b, 2]), ("refund", [a, 3])),
        steps(("spend", [a, 4]), ("move", [a, z, 3]), ("move", [z, b, 1])),
        steps(("spend", [top, 2]), ("spend", [a, 0]), ("refund", [b, 1]), ("move", [a, a, 1])),
        steps(("spend", [z, 6]), ("refund", [z, 6]), ("spend", [a, 1])),
    ]
    adversarial += boundary_runs(choices, 3)
    refund = "refund-leaf-only" if level >= 2 else "refund-skips-grand"
    names = ["shared-leaves", refund, "move-skips-record"]
    names += ["skips-middle"] if level >= 3 else []
    reference = _budget_methods()
    mutants = []
    for name in names:
        wrong = _budget_methods(name)
        changed = {k: v for k, v in wrong.items() if reference.get(k) != v}
        mutants.append(Mutant(name, BUDGET_MISTAKES[name], changed))
    spec = Spec(
        cls,
        _budget_doc(cls, level),
        [tree],
        reference,
        ["tree", "spent", "grand_total"],
        "coupled",
        _budget_couplings(),
        lambda r: random_calls(r, choices, 4, 24),
        adversarial,
        mutants,
        state_size=3,
    )
    return Design(spec, depth=level + 1)
