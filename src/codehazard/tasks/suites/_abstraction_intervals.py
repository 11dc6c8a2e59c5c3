"""Capability ``intervals``: the union of time intervals (busy periods), at four levels.

L1 ``merge(intervals)`` with overlap, touching and order stated; L2 "the busy periods of a
list of meetings" (open: whether back-to-back meetings make one period, a reading; implied:
the meetings may come in any order, one may lie inside another, there may be none); L3 a
day calendar (book, busy, free, is_free); L4 a room-booking service from a user story: a line
parser, a calendar per room and a formatter behind ``handle(line)``.
"""

from __future__ import annotations

import random

from codehazard.tasks.suites._abstraction_spec import Edit, Spec, Steps, pick

FUNCTIONS = ("merge_intervals", "union_of", "combine_spans", "merge_ranges", "coalesce")
L2_FUNCTIONS = ("busy_periods", "busy_times", "occupied", "meeting_blocks", "booked_hours")
CLASSES = ("Calendar", "DayPlanner", "Agenda", "Schedule", "Diary")
SYSTEMS = ("RoomBooker", "Bookings", "RoomDesk", "MeetingRooms", "OfficeRooms")
ROOMS = ("atlas", "birch", "cedar", "delta", "ember")
DAYS = ((8, 18), (9, 17), (7, 19), (8, 16))

MERGE = """
merged = []
for start, end in sorted(ITEMS):
    if merged and start <= merged[-1][1]:
        merged[-1][1] = max(merged[-1][1], end)
    else:
        merged.append([start, end])
return merged
"""


def _spans(rng: random.Random, low: int, high: int, count: int) -> list[list[int]]:
    out = []
    for _ in range(count):
        start = rng.randint(low, high - 1)
        out.append([start, rng.randint(start + 1, min(high, start + 5))])
    if count >= 2 and rng.random() < 0.4:  # back to back with another one
        out.append([out[0][1], out[0][1] + rng.randint(1, 3)])
    rng.shuffle(out)
    return out


def _l1(rng: random.Random) -> Spec:
    fn = pick(rng, FUNCTIONS)
    doc = (
        "Merge intervals into their union.\n\n"
        "intervals is a list of [start, end] lists of integers with start < end, in any "
        "order. Return the union as a list of [start, end] lists sorted by start, where "
        "intervals that overlap or touch (one ends where the other starts) are merged into "
        "one. An empty list gives []."
    )
    calls: list[list[object]] = [[[]], [[[3, 5]]], [[[1, 4], [4, 6]]], [[[1, 10], [2, 3]]]]
    calls += [[_spans(rng, 0, 30, rng.randint(2, 9))] for _ in range(24)]
    return Spec(
        fn,
        "function",
        f"def {fn}(intervals):",
        doc,
        MERGE.replace("ITEMS", "intervals"),
        [
            Edit(
                "unsorted",
                "merges in the given order, without sorting",
                (("sorted(intervals)", "intervals"),),
            ),
            Edit(
                "touching-apart",
                "keeps touching intervals apart",
                (("start <= merged", "start < merged"),),
            ),
            Edit(
                "inner-shrinks",
                "an interval inside another cuts the union short",
                (("max(merged[-1][1], end)", "end"),),
            ),
        ],
        calls=calls,
    )


def _l2(rng: random.Random) -> Spec:
    fn = pick(rng, L2_FUNCTIONS)
    doc = pick(
        rng,
        (
            "Given a list of meetings, each a (start, end) pair of hours, return the periods "
            "in which someone is in a meeting, in time order, overlapping meetings combined.",
            "Meetings are (start, end) pairs of hours. Return the busy periods of the day they "
            "make up, earliest first, with meetings that overlap combined into one period.",
        ),
    )
    calls: list[list[object]] = [[[]], [[(9, 10)]], [[(9, 17), (10, 11)]]]
    calls += [[[tuple(s) for s in _spans(rng, 8, 18, rng.randint(2, 7))]] for _ in range(50)]
    return Spec(
        fn,
        "function",
        f"def {fn}(meetings):",
        doc,
        MERGE.replace("ITEMS", "meetings"),
        [
            Edit(
                "unsorted", "assumes the meetings come sorted", (("sorted(meetings)", "meetings"),)
            ),
            Edit(
                "inner-shrinks",
                "a meeting inside another cuts the period short",
                (("max(merged[-1][1], end)", "end"),),
            ),
            Edit(
                "assumes-meetings",
                "fails when there are no meetings",
                (
                    (
                        "merged = []\nfor start, end in sorted(meetings):",
                        "first, *rest = sorted(meetings)\nmerged = [list(first)]\n"
                        "for start, end in rest:",
                    ),
                ),
            ),
        ],
        readings=[
            Edit(
                "touching-apart",
                "back-to-back meetings stay two periods",
                (("start <= merged", "start < merged"),),
            ),
        ],
        calls=calls,
    )


L3_BODY = """
def __init__(self, day_start, day_end):
    self._day = (day_start, day_end)
    self._booked = []

def book(self, start, end):
    if not self._day[0] <= start < end <= self._day[1]:
        return False
    self._booked.append([start, end])
    return True

def busy(self):
    merged = []
    for start, end in sorted(self._booked):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged

def free(self):
    gaps, cursor = [], self._day[0]
    for start, end in self.busy():
        if start > cursor:
            gaps.append([cursor, start])
        cursor = end
    if cursor < self._day[1]:
        gaps.append([cursor, self._day[1]])
    return gaps

def is_free(self, start, end):
    return all(end <= s or start >= e for s, e in self._booked)
"""


def _class_steps(rng: random.Random, day: tuple[int, int]) -> Steps:
    steps: Steps = []
    for _ in range(rng.randint(3, 14)):
        start = rng.randint(day[0] - 1, day[1] - 1)
        end = rng.randint(start, min(day[1] + 1, start + 4))
        name = rng.choice(("book", "book", "book", "busy", "free", "is_free"))
        if name == "is_free":  # is_free is asked of hours start < end only
            end = max(end, start + 1)
        steps.append((name, [start, end] if name in ("book", "is_free") else []))
    return steps


def _touching(day: tuple[int, int]) -> Steps:
    """Two back-to-back bookings, and the hours touching them asked about."""
    a = day[0] + 1
    steps: Steps = [("book", [a, a + 2]), ("book", [a + 2, a + 3]), ("busy", [])]
    return [*steps, ("is_free", [a + 3, a + 4]), ("is_free", [a - 1, a]), ("free", [])]


def _l3(rng: random.Random) -> Spec:
    cls = pick(rng, CLASSES)
    day = pick(rng, DAYS)
    doc = (
        "The bookings of one day, in whole hours.\n\n"
        f"- {cls}(day_start, day_end): the day runs from day_start to day_end.\n"
        "- book(start, end) -> bool: book the hours [start, end); False (nothing booked) "
        "unless day_start <= start < end <= day_end. Bookings may overlap.\n"
        "- busy() -> list: the booked periods as [start, end] lists in time order, bookings "
        "that overlap or touch merged into one.\n"
        "- free() -> list: the periods of the day not booked, as [start, end] lists in time "
        "order.\n"
        "- is_free(start, end) -> bool (start < end): True when no booking overlaps "
        "[start, end) (a booking that ends at start or begins at end does not)."
    )
    tail = "    if cursor < self._day[1]:\n        gaps.append([cursor, self._day[1]])\n"
    return Spec(
        cls,
        "class",
        f"class {cls}:",
        doc,
        L3_BODY,
        [
            Edit("no-evening", "free forgets the free time after the last booking", ((tail, ""),)),
            Edit(
                "touching-apart",
                "busy keeps touching bookings apart",
                (("start <= merged", "start < merged"),),
            ),
            Edit(
                "touching-clash",
                "is_free counts a touching booking as a clash",
                (("end <= s or start >= e", "end < s or start > e"),),
            ),
            Edit(
                "outside-day",
                "book accepts hours outside the day",
                (("self._day[0] <= start < end <= self._day[1]", "start < end"),),
            ),
        ],
        init=[day[0], day[1]],
        sequences=[_touching(day), *(_class_steps(rng, day) for _ in range(24))],
    )


L4_BODY = '''
class DayCalendar:
    """One room's bookings."""

    def __init__(self):
        self.booked = []

    def book(self, start, end):
        if not DAY_START <= start < end <= DAY_END:
            return False
        self.booked.append([start, end])
        return True

    def busy(self):
        merged = []
        for start, end in sorted(self.booked):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        return merged

    def free(self):
        gaps, cursor = [], DAY_START
        for start, end in self.busy():
            if start > cursor:
                gaps.append([cursor, start])
            cursor = end
        if cursor < DAY_END:
            gaps.append([cursor, DAY_END])
        return gaps


def parse(line):
    """The command, the room and the hours of a line, or None."""
    parts = line.split()
    if len(parts) == 4 and parts[0] == "book" and parts[2].isdigit() and parts[3].isdigit():
        return ("book", parts[1], int(parts[2]), int(parts[3]))
    if len(parts) == 2 and parts[0] in ("busy", "free"):
        return (parts[0], parts[1])
    return None


def show(periods):
    return " ".join(f"{start}-{end}" for start, end in periods) or "none"


class ENTRY:
    def __init__(self):
        self._rooms = {}

    def handle(self, line):
        command = parse(line)
        if command is None:
            return "error"
        calendar = self._rooms.setdefault(command[1], DayCalendar())
        if command[0] == "book":
            return "booked" if calendar.book(command[2], command[3]) else "invalid"
        if command[0] == "busy":
            return show(calendar.busy())
        return show(calendar.free())
'''


def _session(rng: random.Random, day: tuple[int, int], rooms: list[str]) -> Steps:
    steps: Steps = []
    for _ in range(rng.randint(4, 18)):
        room, roll = rng.choice(rooms), rng.random()
        if roll < 0.55:
            start = rng.randint(day[0] - 1, day[1] - 1)
            end = rng.randint(start, min(day[1] + 1, start + 4))
            line = f"book {room} {start} {end}"
        elif roll < 0.92:
            line = f"{rng.choice(('busy', 'free'))} {room}"
        else:
            line = rng.choice(("list", "book", f"busy {room} now", "free"))
        steps.append(("handle", [line]))
    return steps


def _story(entry: str, day: tuple[int, int]) -> str:
    """The user story and its acceptance criteria."""
    return (
        "As an office manager, I want to book meeting rooms by the hour and see when each "
        "room is busy or free, so that nobody walks into an occupied room.\n\n"
        f"The service is used through one class, `{entry}()`, with one method, "
        f"`handle(line) -> str`, called once per line typed. The day runs from {day[0]} to "
        f"{day[1]} (whole hours); rooms are named by single words.\n\n"
        "- `book <room> <start> <end>` books [start, end): the answer is `booked`, or "
        f"`invalid` unless {day[0]} <= start < end <= {day[1]}. Bookings may overlap.\n"
        "- `busy <room>`: the booked periods in time order as `start-end` separated by "
        "spaces (e.g. `9-11 13-14`), overlapping or back-to-back bookings shown as one "
        "period; `none` when there are none.\n"
        "- `free <room>`: the periods of the day the room is not booked, in the same form.\n"
        "- any other line: the answer is `error`.\n\n"
        "Each room has its own bookings."
    )


def _l4(rng: random.Random) -> Spec:
    entry = pick(rng, SYSTEMS)
    day = pick(rng, DAYS)
    rooms = rng.sample(ROOMS, 3)
    doc = _story(entry, day)
    body = L4_BODY.replace("ENTRY", entry)
    body = body.replace("DAY_START", str(day[0])).replace("DAY_END", str(day[1]))
    return Spec(
        entry,
        "module",
        None,
        doc,
        body,
        [
            Edit(
                "one-calendar",
                "every room shares one calendar (wiring)",
                (("setdefault(command[1],", 'setdefault("rooms",'),),
            ),
            Edit(
                "raw-bookings",
                "busy shows the bookings as booked, not the merged periods (wiring)",
                (("show(calendar.busy())", "show(calendar.booked)"),),
            ),
            Edit(
                "no-evening",
                "free forgets the time after the last booking",
                (
                    (
                        f"        if cursor < {day[1]}:\n"
                        f"            gaps.append([cursor, {day[1]}])\n",
                        "",
                    ),
                ),
            ),
            Edit(
                "touching-apart",
                "back-to-back bookings are shown apart",
                (("start <= merged", "start < merged"),),
            ),
        ],
        sequences=[
            [
                ("handle", [f"book {rooms[0]} {day[0] + 1} {day[0] + 2}"]),
                ("handle", [f"book {rooms[0]} {day[0] + 2} {day[0] + 4}"]),
                ("handle", [f"busy {rooms[0]}"]),
                ("handle", [f"free {rooms[0]}"]),
            ],
            *(_session(rng, day, rooms) for _ in range(28)),
        ],
        components=3,
    )


def make_intervals(level: int, rng: random.Random) -> Spec:
    """The intervals capability at ``level`` (1-4)."""
    return (_l1, _l2, _l3, _l4)[level - 1](rng)
