"""The ``interdependence`` suite's structural templates: a matrix and its sums, a graph.

``make_matrix`` keeps a grid's cells with its row sums and column sums (level 2: swaps and a
total; level 3: transpose, appended rows and the shape); ``make_graph`` keeps an edge set with
its degree table (level 2: adjacency lists and node removal; level 3: a directed weighted
graph with in and out degrees and out weights). Mutants are the mistakes a model makes with
coupled structures: a sum updated on one axis only, a set that adds instead of replacing,
rows that are one shared list, a swap or transpose that moves the cells but not the sums, an
edge removed from one endpoint only, a weight update counted as a new edge.
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


def _lines(*lines: str) -> str:
    return "".join(line + "\n" for line in lines if line)


def _changed(reference: dict[str, str], wrong: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in wrong.items() if reference.get(k) != v}


# --- matrix: cells, row sums and column sums -------------------------------------------------

GRID_NAMES = ("Grid", "Matrix", "Table", "Sheet", "Board", "Tally", "Spread")


def _grid_methods(level: int, mistake: str = "") -> dict[str, str]:
    rows = (
        "[[0] * cols] * rows" if mistake == "shared-rows" else "[[0] * cols for _ in range(rows)]"
    )
    inside = (
        "    if not (0 <= r < len(self._cells) and 0 <= c < len(self._cols)):\n        return False"
    )
    delta = "v" if mistake == "set-adds" else "v - self._cells[r][c]"
    methods = {
        "__init__": _lines(
            "def __init__(self, rows, cols):",
            f"    self._cells = {rows}",
            "    self._rows = [0] * rows",
            "    self._cols = [0] * cols",
        ),
        "set": _lines(
            "def set(self, r, c, v):",
            inside,
            f"    self._bump(r, c, {delta})",
            "    self._cells[r][c] = v",
            "    return True",
        ),
        "add": _lines(
            "def add(self, r, c, v):",
            inside,
            "    self._cells[r][c] += v",
            "    self._rows[r] += v",
            "" if mistake == "add-row-only" else "    self._cols[c] += v",
            "    return True",
        ),
        "_bump": _lines(
            "def _bump(self, r, c, d):",
            "    self._rows[r] += d",
            "    self._cols[c] += d",
        ),
        "cells": _lines("def cells(self):", "    return [list(row) for row in self._cells]"),
        "row_sums": _lines("def row_sums(self):", "    return list(self._rows)"),
        "col_sums": _lines("def col_sums(self):", "    return list(self._cols)"),
    }
    if level >= 2:
        sums = "" if mistake == "swap-cells-only" else "    s[i], s[j] = s[j], s[i]"
        methods["swap_rows"] = _lines(
            "def swap_rows(self, i, j):",
            "    if not (0 <= i < len(self._rows) and 0 <= j < len(self._rows)):",
            "        return False",
            "    m, s = self._cells, self._rows",
            "    m[i], m[j] = m[j], m[i]",
            sums,
            "    return True",
        )
        methods["swap_cols"] = _lines(
            "def swap_cols(self, i, j):",
            "    if not (0 <= i < len(self._cols) and 0 <= j < len(self._cols)):",
            "        return False",
            "    for row in self._cells:",
            "        row[i], row[j] = row[j], row[i]",
            "    s = self._cols",
            "    s[i], s[j] = s[j], s[i]",
            "    return True",
        )
        methods["total"] = _lines("def total(self):", "    return sum(self._rows)")
    if level >= 3:
        methods["transpose"] = _lines(
            "def transpose(self):",
            "    self._cells = [list(col) for col in zip(*self._cells)]",
            ""
            if mistake == "transpose-cells-only"
            else "    self._rows, self._cols = self._cols, self._rows",
            "    return True",
        )
        methods["add_row"] = _lines(
            "def add_row(self, values):",
            "    if len(values) != len(self._cols):",
            "        return False",
            "    self._cells.append(list(values))",
            "    self._rows.append(sum(values))",
            ""
            if mistake == "add-row-no-cols"
            else "    for c, v in enumerate(values):\n        self._cols[c] += v",
            "    return True",
        )
        methods["shape"] = _lines(
            "def shape(self):", "    return [len(self._rows), len(self._cols)]"
        )
    return methods


GRID_MISTAKES = {
    "set-adds": "set adds the new value to the sums instead of the change from the old one",
    "add-row-only": "add updates the row sum but not the column sum",
    "shared-rows": "the rows are one list repeated ([[0] * cols] * rows)",
    "swap-cells-only": "swap_rows swaps the cells but not the row sums",
    "transpose-cells-only": "transpose turns the cells but keeps the row and column sums",
    "add-row-no-cols": "add_row adds the row's sum but leaves the column sums as they were",
}


def _grid_couplings(level: int) -> dict[str, Any]:
    rules = [
        coupling(
            "row_sums() are the sums of the rows of cells()",
            """
            def holds(s):
                want = [sum(row) for row in s['cells']]
                if s['row_sums'] != want:
                    return f"row_sums() is {s['row_sums']!r}; the rows of cells() sum to {want!r}"
                return None
            """,
        ),
        coupling(
            "col_sums() are the sums of the columns of cells()",
            """
            def holds(s):
                width = len(s['col_sums'])
                if any(len(row) != width for row in s['cells']):
                    return f"cells() has rows of other lengths than {width} columns"
                want = [sum(row[c] for row in s['cells']) for c in range(width)]
                if s['col_sums'] != want:
                    return f"col_sums() is {s['col_sums']!r}; the columns sum to {want!r}"
                return None
            """,
        ),
    ]
    if level >= 2:
        rules.append(
            coupling(
                "total() is the sum of every cell",
                """
                def holds(s):
                    want = sum(sum(row) for row in s['cells'])
                    if s['total'] != want:
                        return f"total() is {s['total']!r}; the cells sum to {want!r}"
                    return None
                """,
            )
        )
    if level >= 3:
        rules.append(
            coupling(
                "shape() is the number of rows and columns of cells()",
                """
                def holds(s):
                    cells, shape = s['cells'], s['shape']
                    if shape[0] != len(cells) or any(len(row) != shape[1] for row in cells):
                        return f"shape() is {shape!r} but cells() has {len(cells)} rows"
                    return None
                """,
            )
        )
    return couplings(*rules)


def _grid_doc(level: int, cls: str) -> str:
    doc = [
        f"A grid of whole numbers, `{cls}(rows, cols)`, every cell 0, kept with the sum of "
        "every row and of every column. Rows and columns are numbered from 0 (a negative "
        "number names none); a call naming a row or column that does not exist is refused "
        "(returns False, nothing changes); "
        "every other call returns True.",
        "",
        "- set(r, c, v): cell (r, c) becomes v.",
        "- add(r, c, v): v is added to cell (r, c).",
        "- cells(): the rows, each a list of its cells.",
        "- row_sums(): the sum of each row, in order.",
        "- col_sums(): the sum of each column, in order.",
    ]
    if level >= 2:
        doc += [
            "- swap_rows(i, j), swap_cols(i, j): exchange two rows, or two columns (i == j "
            "changes nothing and returns True).",
            "- total(): the sum of all cells.",
        ]
    if level >= 3:
        doc += [
            "- transpose(): the grid becomes its transpose (row r becomes column r).",
            "- add_row(values): append a row; refused unless it has one value per column.",
            "- shape(): [number of rows, number of columns].",
        ]
    doc += ["", "The sums must always be those of the cells as they are."]
    return "\n".join(doc)


def make_matrix(level: int, rng: random.Random) -> Design:
    """Cells and their row and column sums (level 2: swaps, total; level 3: transpose, rows)."""
    cls = pick(rng, GRID_NAMES)
    rows, cols = rng.randrange(2, 4), rng.randrange(2, 4)
    if rows == cols and level >= 3:
        cols += 1
    values = [-3, -1, 0, 2, 5, 9]
    cells = sample_args(rng, [[0, 1, rows - 1, rows], [0, 1, cols - 1, cols], values], 12)
    choices: list[tuple[str, Any]] = [("set", cells), ("add", cells)]
    adversarial: list[Steps] = [
        steps(("set", [0, 0, 4]), ("set", [0, 0, 6]), ("add", [0, 1, 2])),
        steps(("add", [0, 0, 3]), ("add", [1, 0, 2]), ("set", [rows - 1, cols - 1, 1])),
        steps(("set", [rows, 0, 2]), ("add", [0, cols, 2]), ("set", [-1, 0, 1])),
    ]
    if level >= 2:
        index = [[0, 1], [1, 0], [0, rows - 1], [0, 0], [1, rows]]
        choices += [("swap_rows", index), ("swap_cols", [[0, 1], [1, cols - 1], [0, cols]])]
        adversarial += [
            steps(("set", [0, 0, 5]), ("swap_rows", [0, 1]), ("add", [1, 1, 1])),
            steps(("set", [0, 1, 7]), ("swap_cols", [0, 1]), ("swap_rows", [0, rows - 1])),
        ]
    if level >= 3:
        row = [[rng.randrange(-2, 6) for _ in range(cols)]]
        choices += [("transpose", [[]]), ("add_row", [row, [[1] * (cols + 1)], [[2] * rows]])]
        adversarial += [
            steps(("set", [0, 1, 4]), ("transpose", []), ("add", [1, 0, 1])),
            steps(("add_row", row), ("set", [rows, 0, 3]), ("transpose", []), ("add_row", row)),
            steps(("add_row", row), ("swap_rows", [0, rows])),
        ]
    adversarial += boundary_runs(choices, 3)
    observe = ["cells", "row_sums", "col_sums"] + (["total"] if level >= 2 else [])
    observe += ["shape"] if level >= 3 else []
    names = ["set-adds", "add-row-only", "shared-rows"]
    names += ["swap-cells-only"] if level >= 2 else []
    names += ["transpose-cells-only", "add-row-no-cols"] if level >= 3 else []
    reference = _grid_methods(level)
    mutants = [
        Mutant(n, GRID_MISTAKES[n], _changed(reference, _grid_methods(level, n))) for n in names
    ]
    spec = Spec(
        cls,
        _grid_doc(level, cls),
        [rows, cols],
        reference,
        observe,
        "coupled",
        _grid_couplings(level),
        lambda r: random_calls(r, choices, 4, 24),
        adversarial,
        mutants,
        state_size=len(observe),
    )
    return Design(spec, depth=2)


# --- graph: an edge set, its degree table, adjacency ------------------------------------------

GRAPH_NAMES = ("Graph", "Network", "Links", "Web", "Mesh", "Roads", "Circuit")
NODES = ("a", "b", "c", "d", "e", "f", "g", "h")


def _graph_methods(level: int, mistake: str = "") -> dict[str, str]:
    """Level 1-2: undirected (edges stored as sorted pairs); level 3: directed, weighted."""
    if level >= 3:
        return _digraph_methods(mistake)
    key = "(u, v)" if mistake == "unordered-key" else "(min(u, v), max(u, v))"
    loop = "" if mistake == "self-loops" else " or u == v"
    known = f"    if u not in self._degree or v not in self._degree{loop}:\n        return False"
    methods = {
        "__init__": _lines(
            "def __init__(self, nodes):",
            "    self._edges = set()",
            "    self._degree = {n: 0 for n in nodes}",
            "    self._adjacent = {n: set() for n in nodes}" if level >= 2 else "",
        ),
        "add_edge": _lines(
            "def add_edge(self, u, v):",
            known,
            f"    if {key} in self._edges:\n        return False",
            f"    self._edges.add({key})",
            "    self._degree[u] += 1",
            "    self._degree[v] += 1",
            "    self._adjacent[u].add(v)\n    self._adjacent[v].add(u)" if level >= 2 else "",
            "    return True",
        ),
        "remove_edge": _lines(
            "def remove_edge(self, u, v):",
            known,
            f"    if {key} not in self._edges:\n        return False",
            f"    self._edges.discard({key})",
            "    self._degree[u] -= 1",
            "" if mistake == "one-endpoint" else "    self._degree[v] -= 1",
            "    self._adjacent[u].discard(v)\n    self._adjacent[v].discard(u)"
            if level >= 2
            else "",
            "    return True",
        ),
        "edges": _lines(
            "def edges(self):", "    return sorted([min(e), max(e)] for e in self._edges)"
        ),
        "degrees": _lines("def degrees(self):", "    return dict(self._degree)"),
    }
    if level >= 2:
        methods["remove_node_edges"] = _lines(
            "def remove_node_edges(self, n):",
            "    if n not in self._degree:\n        return False",
            "    for m in sorted(self._adjacent[n]):",
            "        self._edges.discard((min(n, m), max(n, m)))",
            "        self._degree[m] -= 1",
            "" if mistake == "one-sided-adjacency" else "        self._adjacent[m].discard(n)",
            "    self._degree[n] = 0",
            "    self._adjacent[n] = set()",
            "    return True",
        )
        methods["neighbours"] = _lines(
            "def neighbours(self):",
            "    return {n: sorted(s) for n, s in self._adjacent.items()}",
        )
    return methods


def _digraph_methods(mistake: str) -> dict[str, str]:
    known = "    if u not in self._out or v not in self._out or u == v:\n        return False"
    recount = mistake == "update-recounts"
    return {
        "__init__": _lines(
            "def __init__(self, nodes):",
            "    self._weights = {}",
            "    self._out = {n: 0 for n in nodes}",
            "    self._in = {n: 0 for n in nodes}",
            "    self._load = {n: 0 for n in nodes}",
        ),
        "add_edge": _lines(
            "def add_edge(self, u, v, w):",
            known,
            "    if w <= 0:\n        return False",
            "    old = self._weights.get((u, v))",
            "    if old is None or " + ("True" if recount else "False") + ":",
            "        self._out[u] += 1",
            "        self._in[v] += 1",
            "    self._weights[(u, v)] = w",
            "    self._load[u] += w"
            if mistake == "update-adds-weight"
            else "    self._load[u] += w - (old or 0)",
            "    return True",
        ),
        "remove_edge": _lines(
            "def remove_edge(self, u, v):",
            "    if (u, v) not in self._weights:\n        return False",
            "    w = self._weights.pop((u, v))",
            "    self._out[u] -= 1",
            "    self._in[u] -= 1" if mistake == "wrong-endpoint" else "    self._in[v] -= 1",
            "    self._load[u] -= w",
            "    return True",
        ),
        "edges": _lines(
            "def edges(self):",
            "    return sorted([u, v, w] for (u, v), w in self._weights.items())",
        ),
        "out_degrees": _lines("def out_degrees(self):", "    return dict(self._out)"),
        "in_degrees": _lines("def in_degrees(self):", "    return dict(self._in)"),
        "out_weights": _lines("def out_weights(self):", "    return dict(self._load)"),
    }


GRAPH_MISTAKES = {
    "one-endpoint": "remove_edge lowers the degree of one endpoint only",
    "unordered-key": "an edge is stored as (u, v) as given, so v-u is not found as u-v",
    "one-sided-adjacency": "remove_node_edges clears the node's list but not its neighbours'",
    "update-recounts": "add_edge on an existing edge counts it again in the degrees",
    "update-adds-weight": "add_edge on an existing edge adds the new weight to the out weight "
    "instead of replacing the old one",
    "wrong-endpoint": "remove_edge lowers the in-degree of the source instead of the target",
    "self-loops": "add_edge and remove_edge accept an edge from a node to itself",
}


def _graph_couplings(level: int, nodes: list[str]) -> dict[str, Any]:
    if level >= 3:
        return couplings(
            coupling(
                "out_degrees() and in_degrees() agree with edges()",
                f"""
                def holds(s):
                    out = {{n: 0 for n in {nodes!r}}}
                    into = dict(out)
                    for u, v, w in s['edges']:
                        out[u] += 1
                        into[v] += 1
                    if s['out_degrees'] != out:
                        return f"out_degrees() is {{s['out_degrees']!r}}; edges() give {{out!r}}"
                    if s['in_degrees'] != into:
                        return f"in_degrees() is {{s['in_degrees']!r}}; edges() give {{into!r}}"
                    return None
                """,
            ),
            coupling(
                "out_weights() totals the weights of each node's edges",
                f"""
                def holds(s):
                    want = {{n: 0 for n in {nodes!r}}}
                    for u, v, w in s['edges']:
                        want[u] += w
                    if s['out_weights'] != want:
                        return f"out_weights() is {{s['out_weights']!r}}; edges() give {{want!r}}"
                    return None
                """,
            ),
        )
    rules = [
        coupling(
            "degrees() agree with edges()",
            f"""
            def holds(s):
                want = {{n: 0 for n in {nodes!r}}}
                for u, v in s['edges']:
                    want[u] += 1
                    want[v] += 1
                if s['degrees'] != want:
                    return f"degrees() is {{s['degrees']!r}}; edges() give {{want!r}}"
                return None
            """,
        )
    ]
    if level >= 2:
        rules.append(
            coupling(
                "neighbours() are symmetric and are edges()",
                """
                def holds(s):
                    pairs = sorted([min(u, v), max(u, v)] for u, ns in s['neighbours'].items()
                                   for v in ns)
                    for u, ns in s['neighbours'].items():
                        for v in ns:
                            if u not in s['neighbours'].get(v, []):
                                return f"{v!r} is a neighbour of {u!r} but not the other way"
                    want = sorted(e for e in s['edges'] for _ in (0, 1))
                    if pairs != want:
                        return f"neighbours() is {s['neighbours']!r}; edges() is {s['edges']!r}"
                    return None
                """,
            )
        )
    return couplings(*rules)


def _graph_doc(level: int, cls: str) -> str:
    if level >= 3:
        doc = [
            f"A directed graph with weighted edges over a fixed set of nodes, `{cls}(nodes)`, "
            "no edges at first.",
            "",
            "- add_edge(u, v, w): the edge from u to v gets weight w (an existing edge's weight "
            "is replaced); refused (returns False, nothing changes) unless u and v are nodes, "
            "u != v and w > 0; True if done.",
            "- remove_edge(u, v): remove the edge from u to v; False if there is none.",
            "- edges(): the edges as [u, v, w] lists, sorted.",
            "- out_degrees(), in_degrees(): {node: number of edges leaving it / entering it}.",
            "- out_weights(): {node: total weight of the edges leaving it}.",
            "",
            "The degree and weight tables must always agree with the edges.",
        ]
        return "\n".join(doc)
    doc = [
        f"An undirected graph over a fixed set of nodes (strings), `{cls}(nodes)`, no edges "
        "at first; an edge u-v is the same edge as v-u.",
        "",
        "- add_edge(u, v): add the edge; refused (returns False, nothing changes) unless u and "
        "v are nodes, u != v and the edge is not there yet; True if done.",
        "- remove_edge(u, v): remove the edge; refused unless u and v are nodes and the edge "
        "is there; True if done.",
        "- edges(): the edges as [x, y] lists with x < y, sorted.",
        "- degrees(): {node: number of edges at it} for every node.",
    ]
    if level >= 2:
        doc += [
            "- remove_node_edges(n): remove every edge at node n (the node stays); False if n "
            "is not a node, else True.",
            "- neighbours(): {node: sorted list of the nodes it has an edge to} for every node.",
        ]
    doc += ["", "The degrees (and neighbours) must always agree with the edges."]
    return "\n".join(doc)


def make_graph(level: int, rng: random.Random) -> Design:
    """An edge set and its degree table (level 2: adjacency; level 3: directed, weighted)."""
    cls = pick(rng, GRAPH_NAMES)
    nodes = sorted(rng.sample(NODES, 3 + level))
    a, b, c = nodes[:3]
    pool = [*nodes, "zz"]
    if level >= 3:
        pairs = sample_args(rng, [pool, pool, [-1, 0, 1, 3, 4]], 14)
        choices: list[tuple[str, Any]] = [
            ("add_edge", pairs),
            ("remove_edge", [p[:2] for p in pairs]),
        ]
        adversarial: list[Steps] = [
            steps(("add_edge", [a, b, 2]), ("add_edge", [a, b, 5]), ("remove_edge", [a, b])),
            steps(("add_edge", [a, b, 1]), ("add_edge", [b, a, 3]), ("remove_edge", [b, a])),
            steps(("add_edge", [a, a, 1]), ("add_edge", [a, "zz", 1]), ("add_edge", [a, b, 0])),
        ]
        names = ["update-recounts", "update-adds-weight", "wrong-endpoint"]
        observe = ["edges", "out_degrees", "in_degrees", "out_weights"]
    else:
        pairs = sample_args(rng, [pool, pool], 14)
        choices = [("add_edge", pairs), ("remove_edge", pairs)]
        adversarial = [
            steps(("add_edge", [a, b]), ("remove_edge", [b, a]), ("add_edge", [c, a])),
            steps(("add_edge", [b, a]), ("add_edge", [a, b]), ("remove_edge", [a, b])),
            steps(("add_edge", [a, a]), ("add_edge", [a, "zz"]), ("remove_edge", [a, c])),
        ]
        names = ["one-endpoint", "unordered-key"]
        observe = ["edges", "degrees"]
        if level >= 2:
            choices.append(("remove_node_edges", [[n] for n in pool]))
            adversarial.append(
                steps(("add_edge", [a, b]), ("add_edge", [c, a]), ("remove_node_edges", [a]))
            )
            names.append("one-sided-adjacency")
            observe.append("neighbours")
        else:
            names.append("self-loops")
    adversarial += boundary_runs(choices, 3)
    reference = _graph_methods(level)
    mutants = []
    for name in names:
        wrong = _changed(reference, _graph_methods(level, name))
        mutants.append(Mutant(name, GRAPH_MISTAKES[name], wrong))
    spec = Spec(
        cls,
        _graph_doc(level, cls),
        [nodes],
        reference,
        observe,
        "coupled",
        _graph_couplings(level, nodes),
        lambda r: random_calls(r, choices, 4, 24),
        adversarial,
        mutants,
        state_size=len(observe),
    )
    return Design(spec, depth=2 if level >= 2 else 1)
