"""Templates over access-controlled records: reports and lookups that must not leak the records
a viewer may not see, through counts, ordering, error text or the answer itself.

The secret is the whole store as the function receives it (plain data): both halves of a pair
hold the same visible records, with the same contents, while the hidden records (how many,
their contents, where they sit) and the store's order differ. A record is visible to a viewer
when it is not private or the viewer owns it.
"""

from __future__ import annotations

import random
from typing import Any

from codehazard.tasks.suites._hyper_spec import Mutant, Pair, Spec, subst

_OWNERS = ("ana", "bo", "chen", "dara", "eli", "fay", "gus", "hana", "ivo", "jun")
_TEAMS = ("red", "blue", "green", "gold", "grey", "teal", "plum", "rose")
_WORDS = ("alpha", "beta", "delta", "echo", "gamma", "kilo", "lima", "omega", "sigma", "tango")
_STORE_NOTE = (
    "RECS is a list of dicts with the keys id (a unique int), owner, team and title (strs), "
    "amount (an int) and private (a bool). A record is visible to VIEWER when it is not "
    "private or VIEWER is its owner; the others are hidden: nothing a call returns or raises "
    "may depend on the hidden records or on the order of RECS."
)


class _Store:
    """Seeded records: the visible ones are fixed, hidden ones are drawn per half."""

    def __init__(self, rng: random.Random, visible: int) -> None:
        self.rng = rng
        self.viewer = rng.choice(_OWNERS)
        self.others = [o for o in _OWNERS if o != self.viewer]
        self.teams = rng.sample(_TEAMS, 4)
        self.ids = rng.sample(range(100, 1000), 400)
        self.visible = [self.record(self.rng.random() < 0.3) for _ in range(visible)]

    def record(self, own_private: bool = False, hidden: bool = False, **fixed: Any) -> dict:
        rng = self.rng
        owner = self.viewer if own_private else rng.choice(self.others)
        rec = {
            "id": self.ids.pop(),
            "owner": owner,
            "team": rng.choice(self.teams if hidden else self.teams[:-1]),
            "title": f"{rng.choice(_WORDS)}-{rng.randint(1, 99)}",
            "amount": rng.randint(1, 60) * 5,
            "private": hidden or own_private,
        }
        rec.update(fixed)
        return rec

    def half(self, hidden: list[dict], lead: int | None = None) -> list[dict]:
        """The visible records and ``hidden`` in a seeded order (record ``lead`` first)."""
        out = [dict(r) for r in self.visible] + [dict(r) for r in hidden]
        self.rng.shuffle(out)
        out.sort(key=lambda r: r["id"] != lead)
        return out

    def hidden(self, n: int, **fixed: Any) -> list[dict]:
        return [self.record(hidden=True, **fixed) for _ in range(n)]


def _names(rng: random.Random) -> dict[str, str]:
    recs, viewer = rng.choice((("records", "viewer"), ("rows", "user"), ("items", "who")))
    return {"RECS": recs, "VIEWER": viewer}


def _pairs(store: _Store, args: list[Any], hidden: list[tuple[list, list]]) -> list[Pair]:
    return [([None, *args], store.half(a), store.half(b)) for a, b in hidden]


def _spec(
    fn: str,
    names: dict[str, str],
    params: list[str],
    doc: str,
    body: str,
    pairs: list[Pair],
    mutants: list[Mutant],
) -> Spec:
    note = subst(_STORE_NOTE, names)
    return Spec(
        fn,
        [names["RECS"], names["VIEWER"], *params],
        subst(doc, names) + "\n\n" + note,
        subst(body, names),
        pairs,
        served=False,
        mutants=[Mutant(m.kind, m.detail, subst(m.body, names)) for m in mutants],
        size=max(max(len(p[1]), len(p[2])) for p in pairs),
    )


def _tie(store: _Store, first: str, second: str) -> tuple[int, int]:
    """Give teams ``first`` and ``second`` equal visible totals, above every other team's;
    return the ids of the two records added (to lead the store in one half each)."""
    totals = {t: 0 for t in store.teams}
    for r in store.visible:
        totals[r["team"]] += r["amount"]
    top = max(totals.values()) + 100
    added = [store.record(team=t, amount=top - totals[t]) for t in (first, second)]
    store.visible.extend(added)
    return added[0]["id"], added[1]["id"]


_VISIBLE = "[r for r in RECS if not r['private'] or r['owner'] == VIEWER]"


def make_report(level: int, rng: random.Random) -> Spec:
    """A report of the visible records: ids and a count, a team ranking, or a page."""
    names = _names(rng)
    store = _Store(rng, rng.randint(5, 7) + level)
    teams = store.teams
    many = [(store.hidden(rng.randint(0, 2)), store.hidden(rng.randint(3, 6))) for _ in range(7)]
    many.append(([], store.hidden(6)))
    if level == 1:
        fn = rng.choice(("visible_report", "report_for", "list_visible"))
        doc = (
            "Return {'ids': the ids of the records visible to VIEWER in ascending order, "
            "'count': how many there are}."
        )
        return _spec(
            fn,
            names,
            [],
            doc,
            _REPORT,
            _pairs(store, [store.viewer], many),
            [
                Mutant("leak-count", "counts every record, hidden ones too", _REPORT_COUNT_ALL),
                Mutant(
                    "leak-order", "lists the ids in the order of the store", _REPORT_STORE_ORDER
                ),
                Mutant(
                    "leak-output",
                    "forgets the owner: shows others' private records",
                    _REPORT_ALL_PRIVATE,
                ),
            ],
        )
    if level == 2:
        fn = rng.choice(("team_ranking", "rank_teams", "top_teams"))
        doc = (
            "Rank the teams by the records visible to VIEWER: return the names of the teams "
            "with at least one visible record, by their visible records' total amount, "
            "largest first, ties by name (alphabetical)."
        )
        heavy = [  # hidden amounts that would reorder the teams, on teams already visible
            (store.hidden(2, team=t, amount=500), store.hidden(1, team=u, amount=5))
            for t, u in zip(teams, reversed(teams), strict=True)
        ]
        seen = {r["team"] for r in store.visible}
        unseen = [t for t in teams if t not in seen]  # the last team at least
        tie = _tie(store, teams[0], teams[1])
        lonely = [(store.hidden(1, team=unseen[0]), [])]
        pairs = _pairs(store, [store.viewer], heavy + lonely + many[:3])
        hidden = store.hidden(2)
        half_a, half_b = store.half(hidden, tie[0]), store.half(hidden[:1], tie[1])
        pairs.append(([None, store.viewer], half_a, half_b))
        return _spec(
            fn,
            names,
            [],
            doc,
            _RANK,
            pairs,
            [
                Mutant("leak-order", "adds up hidden amounts too", _RANK_ALL_AMOUNTS),
                Mutant("leak-output", "lists teams that have only hidden records", _RANK_ALL_TEAMS),
                Mutant("leak-order", "breaks ties by the order of the store", _RANK_STORE_TIES),
            ],
        )
    fn = rng.choice(("report_page", "page_of", "visible_page"))
    size = rng.randint(2, 3)
    doc = (
        "Return page number (from 1) of the records visible to VIEWER, size records a page, "
        "as {'ids': the ids on that page (all visible ids in ascending order, split into pages "
        "of size), 'pages': how many pages there are, 'total': the total amount of all the "
        "visible records}."
    )
    pairs = [p for number in (1, 2) for p in _pairs(store, [store.viewer, size, number], many)]
    return _spec(
        fn,
        names,
        ["size", "number"],
        doc,
        _PAGE,
        pairs,
        [
            Mutant("leak-count", "counts the pages over every record", _PAGE_PAGES_ALL),
            Mutant("leak-count", "adds up every record's amount", _PAGE_TOTAL_ALL),
            Mutant("leak-output", "pages the store before filtering", _PAGE_BEFORE_FILTER),
        ],
    )


_REPORT = f"""\
    visible = {_VISIBLE}
    return {{"ids": sorted(r["id"] for r in visible), "count": len(visible)}}
"""
_REPORT_COUNT_ALL = f"""\
    visible = {_VISIBLE}
    return {{"ids": sorted(r["id"] for r in visible), "count": len(RECS)}}
"""
_REPORT_STORE_ORDER = f"""\
    visible = {_VISIBLE}
    return {{"ids": [r["id"] for r in visible], "count": len(visible)}}
"""
_REPORT_ALL_PRIVATE = """\
    visible = [r for r in RECS if not r['private'] or r['owner'] != VIEWER]
    return {"ids": sorted(r["id"] for r in visible), "count": len(visible)}
"""
_RANK = f"""\
    totals = {{}}
    for r in {_VISIBLE}:
        totals[r["team"]] = totals.get(r["team"], 0) + r["amount"]
    return sorted(totals, key=lambda t: (-totals[t], t))
"""
_RANK_ALL_AMOUNTS = f"""\
    teams = {{r["team"] for r in {_VISIBLE}}}
    totals = {{}}
    for r in RECS:
        totals[r["team"]] = totals.get(r["team"], 0) + r["amount"]
    return sorted(teams, key=lambda t: (-totals[t], t))
"""
_RANK_ALL_TEAMS = f"""\
    totals = {{r["team"]: 0 for r in RECS}}
    for r in {_VISIBLE}:
        totals[r["team"]] += r["amount"]
    return sorted(totals, key=lambda t: (-totals[t], t))
"""
_RANK_STORE_TIES = f"""\
    totals = {{}}
    for r in {_VISIBLE}:
        totals[r["team"]] = totals.get(r["team"], 0) + r["amount"]
    return sorted(totals, key=lambda t: -totals[t])
"""
_PAGE = f"""\
    visible = {_VISIBLE}
    ids = sorted(r["id"] for r in visible)
    return {{
        "ids": ids[(number - 1) * size : number * size],
        "pages": (len(ids) + size - 1) // size,
        "total": sum(r["amount"] for r in visible),
    }}
"""
_PAGE_PAGES_ALL = f"""\
    visible = {_VISIBLE}
    ids = sorted(r["id"] for r in visible)
    return {{
        "ids": ids[(number - 1) * size : number * size],
        "pages": (len(RECS) + size - 1) // size,
        "total": sum(r["amount"] for r in visible),
    }}
"""
_PAGE_TOTAL_ALL = f"""\
    visible = {_VISIBLE}
    ids = sorted(r["id"] for r in visible)
    return {{
        "ids": ids[(number - 1) * size : number * size],
        "pages": (len(ids) + size - 1) // size,
        "total": sum(r["amount"] for r in RECS),
    }}
"""
_PAGE_BEFORE_FILTER = """\
    ordered = sorted(RECS, key=lambda r: r["id"])
    page = ordered[(number - 1) * size : number * size]
    visible = [r for r in ordered if not r['private'] or r['owner'] == VIEWER]
    return {
        "ids": [r["id"] for r in page if not r['private'] or r['owner'] == VIEWER],
        "pages": (len(visible) + size - 1) // size,
        "total": sum(r["amount"] for r in visible),
    }
"""


# lookups: the error text and the answer must not tell hidden from missing ----------------------

_MISSING = ("no record", "not found:", "unknown record")


def make_lookup(level: int, rng: random.Random) -> Spec:
    """Look records up by id or title prefix; hidden and missing look the same."""
    names = _names(rng)
    store = _Store(rng, rng.randint(5, 7) + level)
    missing = rng.choice(_MISSING)
    names["MISSING"] = missing
    viewer = store.viewer
    if level == 1:
        fn = rng.choice(("lookup_title", "title_of", "get_title"))
        doc = (
            "Return the title of the record whose id is record_id when it is visible to "
            "VIEWER. When there is no such record, or it is hidden, raise "
            "LookupError(f'MISSING {record_id}') (the same error either way)."
        )
        pairs = []
        for _ in range(4):
            ghost = store.hidden(1)
            rid = ghost[0]["id"]
            pairs += _pairs(store, [viewer, rid], [(ghost, store.hidden(2)), (ghost, [])])
        pairs += _pairs(store, [viewer, store.visible[0]["id"]], [(store.hidden(1), [])])
        return _spec(
            fn,
            names,
            ["record_id"],
            doc,
            _LOOKUP,
            pairs,
            [
                Mutant("leak-exception", "PermissionError for a hidden record", _LOOKUP_PERMISSION),
                Mutant("leak-exception", "says the record is private", _LOOKUP_SAYS_PRIVATE),
                Mutant("leak-exception", "returns None for a hidden record", _LOOKUP_NONE),
            ],
        )
    if level == 2:
        fn = rng.choice(("lookup_titles", "titles_of", "get_titles"))
        doc = (
            "For each id in ids, in order, give the title of the record with that id when it "
            "is visible to VIEWER, else None (no such record, or hidden): return the list."
        )
        pairs = []
        for _ in range(4):
            ghosts = store.hidden(2)
            ids = [ghosts[0]["id"], store.visible[0]["id"], ghosts[1]["id"], store.ids[-1]]
            pairs += _pairs(store, [viewer, ids], [(ghosts, store.hidden(1)), ([], ghosts)])
        return _spec(
            fn,
            names,
            ["ids"],
            doc,
            _MANY,
            pairs,
            [
                Mutant("leak-output", "marks hidden records as '<private>'", _MANY_MARKED),
                Mutant("leak-output", "leaves hidden records out of the list", _MANY_DROPPED),
                Mutant("leak-exception", "raises PermissionError on a hidden id", _MANY_RAISES),
            ],
        )
    fn = rng.choice(("search_titles", "find_titles", "titles_starting"))
    doc = (
        "Return the titles of the records visible to VIEWER that start with prefix, in "
        "alphabetical order. When there are none, raise LookupError(f'MISSING {prefix!r}')."
    )
    words = rng.sample(_WORDS, 4)
    others = {w[:2] for w in words[1:]}
    for r in store.visible:  # only words[0] matches visible records, two of them at least
        if r["title"][:2] in others:
            r["title"] = f"{words[0]}-{rng.randint(12, 76)}"
    firsts = [store.record(title=f"{words[0]}-{n}") for n in (11, 77)]
    store.visible.extend(firsts)
    pairs = []
    for word in words:
        prefix = word[:2]
        pairs += _pairs(
            store,
            [viewer, prefix],
            [
                (store.hidden(2, title=f"{word}-{rng.randint(1, 99)}"), store.hidden(1)),
                ([], store.hidden(3, title=f"{word}-x")),
            ],
        )
    hidden = store.hidden(1)
    lead_late, lead_early = store.half(hidden, firsts[1]["id"]), store.half([], firsts[0]["id"])
    pairs.append(([None, viewer, words[0][:2]], lead_late, lead_early))
    return _spec(
        fn,
        names,
        ["prefix"],
        doc,
        _SEARCH,
        pairs,
        [
            Mutant("leak-exception", "counts the hidden matches in its message", _SEARCH_COUNTS),
            Mutant("leak-exception", "returns [] when only hidden records match", _SEARCH_EMPTY),
            Mutant("leak-order", "lists the titles in the order of the store", _SEARCH_ORDER),
        ],
    )


_LOOKUP = f"""\
    for r in {_VISIBLE}:
        if r["id"] == record_id:
            return r["title"]
    raise LookupError(f"MISSING {{record_id}}")
"""
_LOOKUP_PERMISSION = """\
    for r in RECS:
        if r["id"] == record_id:
            if r["private"] and r["owner"] != VIEWER:
                raise PermissionError(f"MISSING {record_id}")
            return r["title"]
    raise LookupError(f"MISSING {record_id}")
"""
_LOOKUP_SAYS_PRIVATE = """\
    for r in RECS:
        if r["id"] == record_id:
            if r["private"] and r["owner"] != VIEWER:
                raise LookupError(f"record {record_id} is private")
            return r["title"]
    raise LookupError(f"MISSING {record_id}")
"""
_LOOKUP_NONE = """\
    for r in RECS:
        if r["id"] == record_id:
            if r["private"] and r["owner"] != VIEWER:
                return None
            return r["title"]
    raise LookupError(f"MISSING {record_id}")
"""
_MANY = f"""\
    titles = {{r["id"]: r["title"] for r in {_VISIBLE}}}
    return [titles.get(i) for i in ids]
"""
_MANY_MARKED = """\
    by_id = {r["id"]: r for r in RECS}
    out = []
    for i in ids:
        r = by_id.get(i)
        if r is None:
            out.append(None)
        elif r["private"] and r["owner"] != VIEWER:
            out.append("<private>")
        else:
            out.append(r["title"])
    return out
"""
_MANY_DROPPED = """\
    by_id = {r["id"]: r for r in RECS}
    out = []
    for i in ids:
        r = by_id.get(i)
        if r is None:
            out.append(None)
        elif not r["private"] or r["owner"] == VIEWER:
            out.append(r["title"])
    return out
"""
_MANY_RAISES = """\
    by_id = {r["id"]: r for r in RECS}
    out = []
    for i in ids:
        r = by_id.get(i)
        if r is not None and r["private"] and r["owner"] != VIEWER:
            raise PermissionError(f"record {i} is private")
        out.append(None if r is None else r["title"])
    return out
"""
_SEARCH = f"""\
    found = sorted(r["title"] for r in {_VISIBLE} if r["title"].startswith(prefix))
    if not found:
        raise LookupError(f"MISSING {{prefix!r}}")
    return found
"""
_SEARCH_COUNTS = """\
    matches = [r for r in RECS if r["title"].startswith(prefix)]
    found = sorted(r["title"] for r in matches if not r["private"] or r["owner"] == VIEWER)
    if not found:
        raise LookupError(f"MISSING {prefix!r} ({len(matches)} hidden)")
    return found
"""
_SEARCH_EMPTY = """\
    matches = [r for r in RECS if r["title"].startswith(prefix)]
    if not matches:
        raise LookupError(f"MISSING {prefix!r}")
    return sorted(r["title"] for r in matches if not r["private"] or r["owner"] == VIEWER)
"""
_SEARCH_ORDER = f"""\
    found = [r["title"] for r in {_VISIBLE} if r["title"].startswith(prefix)]
    if not found:
        raise LookupError(f"MISSING {{prefix!r}}")
    return found
"""
