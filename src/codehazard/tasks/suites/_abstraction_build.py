"""Capability ``build-order``: an order that puts every package after what it needs.

L1 ``build_order(needs)`` with the tie rule and the cycle answer stated; L2 "an order in which
to install them" (every valid order is right: the test checks the property, and other valid
orders are readings; cycles and needs that are not keys are left open, never tested); L3 a
dependency graph class (add, order, plan, dependents); L4 a release tool from a user story: a
parser, the graph, a planner and a formatter behind ``handle(line)``.
"""

from __future__ import annotations

import random

from codehazard.tasks.suites._abstraction_spec import Edit, Spec, Steps, pick

FUNCTIONS = ("build_order", "install_order", "topo_order", "package_order", "resolve_order")
L2_FUNCTIONS = ("install_plan", "setup_order", "deploy_order", "order_packages", "sequence")
CLASSES = ("DependencyGraph", "Packages", "BuildGraph", "Requirements", "Depends")
SYSTEMS = ("ReleaseTool", "Builder", "BuildPlanner", "Pipeline", "Make")
PACKAGES = ("app", "core", "db", "log", "net", "ui", "util", "web")

CORE = """
done = []
waiting = {p: set(d) for p, d in needs.items()}
while waiting:
    ready = sorted(p for p, d in waiting.items() if not d)
    if not ready:
        return []
    first = ready[0]
    done.append(first)
    del waiting[first]
    for d in waiting.values():
        d.discard(first)
return done
"""
BATCH = """
    for first in ready:
        done.append(first)
        del waiting[first]
        for d in waiting.values():
            d.discard(first)
"""
DFS = """
done = []
def visit(p, path):
    if p in path:
        return False
    if p not in done:
        for d in sorted(needs[p]):
            if not visit(d, path | {p}):
                return False
        done.append(p)
    return True
for p in sorted(needs):
    if not visit(p, set()):
        return []
return done
"""


def _graph(rng: random.Random, acyclic: bool = True) -> dict[str, list[str]]:
    names = rng.sample(PACKAGES, rng.randint(2, 7))
    needs: dict[str, list[str]] = {}
    for i, name in enumerate(names):
        earlier = names[:i]
        needs[name] = sorted(rng.sample(earlier, rng.randint(0, min(3, len(earlier)))))
    if not acyclic and len(names) >= 2:
        needs[names[0]] = sorted({*needs[names[0]], names[-1]})
    return dict(sorted(needs.items()))


def _l1(rng: random.Random) -> Spec:
    fn = pick(rng, FUNCTIONS)
    doc = (
        "Order packages so that each comes after the packages it needs.\n\n"
        "needs maps every package name to the list of package names it needs (each of them "
        "also a key). Return every package once, in an order where each package comes after "
        "all the packages it needs; whenever several packages could come next, the "
        "alphabetically smallest goes first. If the needs form a cycle, return []."
    )
    calls: list[list[object]] = [
        [{}],
        [{"a": ["b"], "b": ["a"]}],
        [{"a": [], "b": ["c"], "c": ["b"]}],
    ]
    calls += [[_graph(rng, rng.random() < 0.85)] for _ in range(24)]
    ready = "    first = ready[0]\n    done.append(first)\n    del waiting[first]\n"
    ready += "    for d in waiting.values():\n        d.discard(first)\n"
    return Spec(
        fn,
        "function",
        f"def {fn}(needs):",
        doc,
        CORE,
        [
            Edit(
                "level-by-level",
                "places all ready packages at once, not the smallest first",
                ((ready, BATCH.lstrip("\n")),),
            ),
            Edit(
                "partial-on-cycle",
                "returns the packages ordered so far on a cycle",
                (("        return []\n", "        return done\n"),),
            ),
            Edit(
                "depth-first",
                "a depth-first order, ignoring the tie rule",
                ((CORE.lstrip("\n"), DFS.lstrip("\n")),),
            ),
        ],
        calls=calls,
    )


CHECK = """
def _ok(args, answer):
    needs = args[0]
    if type(answer) is not list or len(answer) != len(needs) or set(answer) != set(needs):
        return False
    place = {p: i for i, p in enumerate(answer)}
    return all(place[d] < place[p] for p, ds in needs.items() for d in ds)
"""


def _l2(rng: random.Random) -> Spec:
    fn = pick(rng, L2_FUNCTIONS)
    doc = pick(
        rng,
        (
            "needs says, for each package, which packages it needs (a dict from a package "
            "name to a list of names). Return an order in which to install all of them.",
            "Given a dict mapping each package to the packages it depends on, return a list "
            "of all the packages in an order they can be installed in.",
        ),
    )
    calls: list[list[object]] = [[{}], [{"solo": []}]]
    calls += [[_graph(rng)] for _ in range(24)]
    return Spec(
        fn,
        "function",
        f"def {fn}(needs):",
        doc,
        CORE,
        [
            Edit(
                "dependents-first",
                "lists each package before what it needs",
                (("return done\n", "return done[::-1]\n"),),
            ),
            Edit(
                "leaves-left-out",
                "leaves out packages that need nothing",
                (("return done\n", "return [p for p in done if needs[p]]\n"),),
            ),
            Edit(
                "alphabetical",
                "sorts the packages by name, ignoring what they need",
                ((CORE.lstrip("\n"), "return sorted(needs)\n"),),
            ),
        ],
        readings=[
            Edit("depth-first", "a depth-first order", ((CORE.lstrip("\n"), DFS.lstrip("\n")),)),
            Edit(
                "largest-first",
                "the alphabetically largest ready package first",
                (("first = ready[0]", "first = ready[-1]"),),
            ),
        ],
        calls=calls,
        check=CHECK,
    )


L3_BODY = """
def __init__(self):
    self._needs = {}

def _reach(self, start):
    seen, todo = set(), [start]
    while todo:
        for d in self._needs.get(todo.pop(), ()):
            if d not in seen:
                seen.add(d)
                todo.append(d)
    return seen

def add(self, package, needs):
    if package in needs or any(package in self._reach(d) for d in needs):
        return False
    for d in needs:
        self._needs.setdefault(d, set())
    self._needs.setdefault(package, set()).update(needs)
    return True

def _order(self, packages):
    waiting = {p: self._needs[p] & packages for p in packages}
    done = []
    while waiting:
        first = min(p for p, d in waiting.items() if not d)
        done.append(first)
        del waiting[first]
        for d in waiting.values():
            d.discard(first)
    return done

def order(self):
    return self._order(set(self._needs))

def plan(self, package):
    if package not in self._needs:
        return []
    return self._order(self._reach(package) | {package})

def dependents(self, package):
    return sorted(p for p in self._needs if package in self._reach(p))
"""


def _class_steps(rng: random.Random) -> Steps:
    names = rng.sample(PACKAGES, 5)
    steps: Steps = []
    for _ in range(rng.randint(3, 12)):
        roll = rng.random()
        if roll < 0.5:
            package = rng.choice(names)
            steps.append(("add", [package, sorted(rng.sample(names, rng.randint(0, 2)))]))
        else:
            name = rng.choice(("order", "plan", "plan", "dependents"))
            steps.append((name, [] if name == "order" else [rng.choice(names)]))
    return steps


def _chains(rng: random.Random) -> list[Steps]:
    """A chain of three, asked about at both ends; a cycle through it refused."""
    a, b, c, e = rng.sample(PACKAGES, 4)
    chain: Steps = [("add", [a, [b]]), ("add", [b, [c]]), ("add", [e, []])]
    return [
        [*chain, ("plan", [a]), ("dependents", [c]), ("order", [])],
        [*chain, ("add", [c, [a]]), ("order", []), ("plan", [c])],
    ]


def _l3(rng: random.Random) -> Spec:
    cls = pick(rng, CLASSES)
    doc = (
        "Which packages need which.\n\n"
        f"- {cls}(): no packages.\n"
        "- add(package, needs) -> bool: record that package needs each package of the list "
        "needs (adding to what it needed before; package becomes known even when needs is "
        "empty, and names not seen before become packages that need nothing). False, and "
        "nothing is recorded, when this would make a package need "
        "itself, directly or through others.\n"
        "- order() -> list: every package, each after all it needs; whenever several could "
        "come next, the alphabetically smallest first.\n"
        "- plan(package) -> list: the packages package needs, directly or through others, "
        "and package itself last, in the same order as order(); [] for an unknown package.\n"
        "- dependents(package) -> list: the packages that need package, directly or through "
        "others, sorted alphabetically."
    )
    return Spec(
        cls,
        "class",
        f"class {cls}:",
        doc,
        L3_BODY,
        [
            Edit(
                "plan-direct",
                "plan includes only the direct needs",
                (
                    (
                        "self._order(self._reach(package) | {package})",
                        "self._order(self._needs[package] | {package})",
                    ),
                ),
            ),
            Edit(
                "cycle-unchecked",
                "add refuses only a package needing itself directly",
                ((" or any(package in self._reach(d) for d in needs)", ""),),
            ),
            Edit(
                "dependents-direct",
                "dependents lists only direct dependents",
                (("package in self._reach(p))", "package in self._needs[p])"),),
            ),
            Edit(
                "order-by-name",
                "order sorts every package by name",
                (("return self._order(set(self._needs))", "return sorted(self._needs)"),),
            ),
        ],
        sequences=[*_chains(rng), *(_class_steps(rng) for _ in range(26))],
    )


L4_BODY = '''
class Graph:
    def __init__(self):
        self.needs = {}

    def reach(self, start):
        seen, todo = set(), [start]
        while todo:
            for d in self.needs.get(todo.pop(), ()):
                if d not in seen:
                    seen.add(d)
                    todo.append(d)
        return seen

    def add(self, package, needs):
        if package in needs or any(package in self.reach(d) for d in needs):
            return False
        for d in needs:
            self.needs.setdefault(d, set())
        self.needs.setdefault(package, set()).update(needs)
        return True


def build_order(graph, packages):
    """packages in build order, the alphabetically smallest ready one first."""
    waiting = {p: graph.needs[p] & packages for p in packages}
    done = []
    while waiting:
        first = min(p for p, d in waiting.items() if not d)
        done.append(first)
        del waiting[first]
        for d in waiting.values():
            d.discard(first)
    return done


def parse(line):
    parts = line.split()
    if len(parts) >= 3 and parts[0] == "need":
        return ("need", parts[1], parts[2:])
    if len(parts) == 2 and parts[0] in ("build", "rebuild"):
        return (parts[0], parts[1])
    return None


class ENTRY:
    def __init__(self):
        self._graph = Graph()

    def handle(self, line):
        command = parse(line)
        if command is None:
            return "error"
        if command[0] == "need":
            return "ok" if self._graph.add(command[1], command[2]) else "cycle"
        package = command[1]
        if package not in self._graph.needs:
            return "unknown"
        if command[0] == "build":
            wanted = self._graph.reach(package) | {package}
        else:
            wanted = {p for p in self._graph.needs if package in self._graph.reach(p)}
            wanted.add(package)
        return " ".join(build_order(self._graph, wanted))
'''


def _session(rng: random.Random) -> Steps:
    names = rng.sample(PACKAGES, 5)
    steps: Steps = []
    for _ in range(rng.randint(4, 14)):
        roll = rng.random()
        if roll < 0.5:
            deps = rng.sample([n for n in names], rng.randint(1, 2))
            line = f"need {rng.choice(names)} {' '.join(deps)}"
        elif roll < 0.93:
            line = f"{rng.choice(('build', 'rebuild'))} {rng.choice(names)}"
        else:
            line = rng.choice(("need app", "build", "list", "rebuild a b"))
        steps.append(("handle", [line]))
    return steps


def _chain_sessions(rng: random.Random) -> list[Steps]:
    a, b, c, e = rng.sample(PACKAGES, 4)
    chain = [f"need {a} {b}", f"need {b} {c} {e}"]
    return [
        [("handle", [line]) for line in [*chain, f"build {a}", f"rebuild {c}", f"build {b}"]],
        [("handle", [line]) for line in [*chain, f"need {c} {a}", f"build {a}", f"rebuild {e}"]],
    ]


def _story(entry: str) -> str:
    """The user story and its acceptance criteria."""
    return (
        "As a release engineer, I want a tool that remembers which packages need which and "
        "tells me what to build, so that I never build a package before what it needs.\n\n"
        f"The tool is used through one class, `{entry}()`, with one method, "
        "`handle(line) -> str`, called once per command (package names are single words):\n\n"
        "- `need <package> <other> [<other> ...]`: record that package needs the others "
        "(names not seen before become packages); the answer is `ok`, or `cycle` (nothing "
        "recorded) when a package would need itself, directly or through others.\n"
        "- `build <package>`: what must be built for package, everything it needs directly "
        "or through others and then package itself, separated by spaces.\n"
        "- `rebuild <package>`: package and every package that needs it, directly or through "
        "others: what must be rebuilt when package changes, separated by spaces.\n"
        "- `build` and `rebuild` list each package after all it needs, and whenever several "
        "could come next the alphabetically smallest first; `unknown` for a package never "
        "named.\n"
        "- any other line: the answer is `error`."
    )


def _l4(rng: random.Random) -> Spec:
    entry = pick(rng, SYSTEMS)
    doc = _story(entry)
    return Spec(
        entry,
        "module",
        None,
        doc,
        L4_BODY.replace("ENTRY", entry),
        [
            Edit(
                "builds-everything",
                "build lists the whole graph, not what the package needs (wiring)",
                (
                    (
                        "wanted = self._graph.reach(package) | {package}",
                        "wanted = set(self._graph.needs)",
                    ),
                ),
            ),
            Edit(
                "rebuild-direct",
                "rebuild lists only the direct dependents",
                (("if package in self._graph.reach(p)}", "if package in self._graph.needs[p]}"),),
            ),
            Edit(
                "rebuild-by-name",
                "rebuild lists the packages by name, not in build order (wiring)",
                (
                    (
                        '        return " ".join(build_order(self._graph, wanted))',
                        '        if command[0] == "rebuild":\n'
                        '            return " ".join(sorted(wanted))\n'
                        '        return " ".join(build_order(self._graph, wanted))',
                    ),
                ),
            ),
            Edit(
                "cycle-unchecked",
                "only a package needing itself directly is refused",
                ((" or any(package in self.reach(d) for d in needs)", ""),),
            ),
        ],
        readings=[
            Edit(
                "need-nothing",
                "`need <package>` with no others is accepted as needing nothing",
                (
                    (
                        'if len(parts) >= 3 and parts[0] == "need":',
                        'if len(parts) >= 2 and parts[0] == "need":',
                    ),
                ),
            ),
        ],
        sequences=[*_chain_sessions(rng), *(_session(rng) for _ in range(28))],
        components=4,
    )


def make_build(level: int, rng: random.Random) -> Spec:
    """The build-order capability at ``level`` (1-4)."""
    return (_l1, _l2, _l3, _l4)[level - 1](rng)
