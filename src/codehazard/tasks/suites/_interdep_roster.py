"""The ``interdependence`` suite's roster template: a two-way index with counts and waitlists.

``make_roster`` keeps who takes which course twice (by course and by student) with the class
sizes; level 2 adds waitlists that are promoted when a seat frees; level 3 adds withdrawing
from everything, changing a course's capacity and each student's load. The couplings: the two
indices are inverses, the counts are the class sizes, no course is over capacity, a waitlist
is non-empty only while its course is full, the loads count each student's courses. Mutants
are the mistakes a model makes with a two-way index: one side forgotten on one path, a count
kept on enrolment only, every course sharing one list, a freed seat not offered to the queue.
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

ROSTER_NAMES = ("Roster", "Enrolment", "Registry", "Timetable", "ClassList", "Signup", "Courses")
COURSES = ("math", "art", "chem", "latin", "music", "bio", "law", "drama")
STUDENTS = ("ann", "ben", "cat", "dan", "eli", "fay", "gus", "ivy")


def _lines(*lines: str) -> str:
    return "".join(line + "\n" for line in lines if line)


def _roster_methods(level: int, mistake: str = "") -> dict[str, str]:
    wait = level >= 2
    lists = (
        "dict.fromkeys(courses, [])" if mistake == "shared-lists" else "{c: [] for c in courses}"
    )
    full = ">" if mistake == "capacity-off-by-one" else ">="
    methods = {
        "__init__": _lines(
            "def __init__(self, courses, capacity):",
            "    self._capacity = {c: capacity for c in courses}",
            f"    self._students = {lists}",
            "    self._courses = {}",
            "    self._count = {c: 0 for c in courses}",
            "    self._waiting = {c: [] for c in courses}" if wait else "",
            "    self._load = {}" if level >= 3 else "",
        ),
        "_add": _lines(
            "def _add(self, student, course):",
            "    self._students[course].append(student)",
            "    self._courses.setdefault(student, []).append(course)",
            "    self._count[course] += 1",
            "    self._load[student] = self._load.get(student, 0) + 1" if level >= 3 else "",
        ),
        "_remove": _lines(
            "def _remove(self, student, course):",
            "    self._students[course].remove(student)",
            "" if mistake == "one-sided-drop" else "    self._courses[student].remove(course)",
            "    if not self._courses[student]:\n        del self._courses[student]",
            "" if mistake == "count-on-enrol-only" else "    self._count[course] -= 1",
            "    self._load[student] -= 1\n    if not self._load[student]:\n"
            "        del self._load[student]"
            if level >= 3
            else "",
        ),
        "enrol": _lines(
            "def enrol(self, student, course):",
            "    if course not in self._students or student in self._students[course]:",
            "        return False",
            "    if student in self._waiting[course]:\n        return False" if wait else "",
            f"    if self._count[course] {full} self._capacity[course]:",
            "        self._waiting[course].append(student)\n        return 'waitlisted'"
            if wait
            else "        return False",
            "    self._add(student, course)",
            "    return 'enrolled'" if wait else "    return True",
        ),
        "drop": _lines(
            "def drop(self, student, course):",
            "    if course not in self._students:\n        return False",
            "    if student in self._waiting[course]:\n"
            "        self._waiting[course].remove(student)\n        return True"
            if wait
            else "",
            "    if student not in self._students[course]:\n        return False",
            "    self._remove(student, course)",
            "" if not wait or mistake == "drop-no-promote" else "    self._promote(course)",
            "    return True",
        ),
        "courses_of": _lines(
            "def courses_of(self):",
            "    return {s: sorted(cs) for s, cs in self._courses.items()}",
        ),
        "students_of": _lines(
            "def students_of(self):",
            "    return {c: sorted(ss) for c, ss in self._students.items()}",
        ),
        "counts": _lines("def counts(self):", "    return dict(self._count)"),
    }
    methods.update(_roster_extras(level, mistake))
    return methods


def _roster_extras(level: int, mistake: str) -> dict[str, str]:
    """The waitlist's methods (level 2) and withdraw, capacities and load (level 3)."""
    methods: dict[str, str] = {}
    if level >= 2:
        add = "self._students[course].append" if mistake == "promote-unindexed" else "self._add"
        extra = ", course" if add == "self._add" else ""
        methods["_promote"] = _lines(
            "def _promote(self, course):",
            "    while self._waiting[course] and self._count[course] < self._capacity[course]:",
            f"        {add}(self._waiting[course].pop(0){extra})",
            "        self._count[course] += 1" if mistake == "promote-unindexed" else "",
        )
        methods["waitlists"] = _lines(
            "def waitlists(self):",
            "    return {c: list(w) for c, w in self._waiting.items()}",
        )
    if level >= 3:
        methods["withdraw"] = _lines(
            "def withdraw(self, student):",
            "    taken = [c for c in self._students",
            "             if student in self._students[c] or student in self._waiting[c]]",
            "    if not taken:\n        return False",
            "    for course in taken:",
            "        self.drop(student, course)",
            "    return True",
        )
        methods["set_capacity"] = _lines(
            "def set_capacity(self, course, n):",
            "    if course not in self._students or n < self._count[course]:",
            "        return False",
            "    self._capacity[course] = n",
            "" if mistake == "raise-no-promote" else "    self._promote(course)",
            "    return True",
        )
        methods["capacities"] = _lines("def capacities(self):", "    return dict(self._capacity)")
        methods["load"] = _lines("def load(self):", "    return dict(self._load)")
    return methods


ROSTER_MISTAKES = {
    "one-sided-drop": "drop takes the student off the course's list but keeps the course on "
    "the student's",
    "count-on-enrol-only": "the class size goes up on enrolment but not down on a drop",
    "capacity-off-by-one": "enrol lets one student more than the capacity in",
    "shared-lists": "every course's list of students is one shared list "
    "(dict.fromkeys(courses, []))",
    "drop-no-promote": "a drop frees a seat but does not offer it to the waitlist",
    "promote-unindexed": "a student promoted from the waitlist is added to the course's list "
    "but not to the student's",
    "raise-no-promote": "raising a capacity does not fill the new seats from the waitlist",
}


def _roster_couplings(level: int, courses: list[str], capacity: int) -> dict[str, Any]:
    caps = "s['capacities']" if level >= 3 else f"{{c: {capacity} for c in {courses!r}}}"
    rules = [
        coupling(
            "courses_of() and students_of() are the same pairs",
            """
            def holds(s):
                by_student = sorted([st, c] for st, cs in s['courses_of'].items() for c in cs)
                by_course = sorted([st, c] for c, ss in s['students_of'].items() for st in ss)
                if by_student != by_course:
                    return (f"courses_of() gives {by_student!r} but students_of() gives "
                            f"{by_course!r}")
                if any(not cs for cs in s['courses_of'].values()):
                    return "courses_of() lists a student with no course"
                return None
            """,
        ),
        coupling(
            "counts() are the class sizes",
            """
            def holds(s):
                want = {c: len(ss) for c, ss in s['students_of'].items()}
                if s['counts'] != want:
                    return f"counts() is {s['counts']!r}; students_of() gives {want!r}"
                return None
            """,
        ),
        coupling(
            "no course is over its capacity",
            f"""
            def holds(s):
                caps = {caps}
                for c, ss in sorted(s['students_of'].items()):
                    if len(ss) > caps[c]:
                        return f"{{c!r}} has {{len(ss)}} students; its capacity is {{caps[c]}}"
                return None
            """,
        ),
    ]
    if level >= 2:
        rules.append(
            coupling(
                "a course has a waitlist only while it is full, and nobody is on both",
                f"""
                def holds(s):
                    caps = {caps}
                    for c, queue in sorted(s['waitlists'].items()):
                        taken = s['students_of'][c]
                        if queue and len(taken) < caps[c]:
                            return f"{{c!r}} has free seats while {{queue!r}} wait"
                        both = sorted(set(queue) & set(taken))
                        if both:
                            return f"{{both!r}} both take and wait for {{c!r}}"
                    return None
                """,
            )
        )
    if level >= 3:
        rules.append(
            coupling(
                "load() counts each student's courses",
                """
                def holds(s):
                    want = {st: len(cs) for st, cs in s['courses_of'].items()}
                    if s['load'] != want:
                        return f"load() is {s['load']!r}; courses_of() gives {want!r}"
                    return None
                """,
            )
        )
    return couplings(*rules)


def _roster_doc(level: int, cls: str) -> str:
    wait = level >= 2
    doc = [
        f"Course enrolment, `{cls}(courses, capacity)`: every course (a str) has room for "
        "capacity students (strs) and nobody is enrolled at first. A call naming a course that "
        "does not exist is refused (returns False, nothing changes).",
        "",
    ]
    if wait:
        doc += [
            "- enrol(student, course): 'enrolled' if a seat is free; else the student joins the "
            "end of the course's waitlist and it returns 'waitlisted'. Refused (False) if the "
            "student already takes or waits for the course.",
            "- drop(student, course): leave the course's waitlist, or leave the course, and then "
            "the first students waiting take the free seats, in order; True if done, False if "
            "the student neither takes nor waits for it.",
            "- waitlists(): {course: the students waiting, first first} for every course.",
        ]
    else:
        doc += [
            "- enrol(student, course): True if the student is enrolled now; refused if the "
            "student already takes the course or it is full.",
            "- drop(student, course): the student leaves the course; refused if not enrolled.",
        ]
    doc += [
        "- courses_of(): {student: sorted courses} for every student taking at least one.",
        "- students_of(): {course: sorted students} for every course.",
        "- counts(): {course: number of students enrolled} for every course.",
    ]
    if level >= 3:
        doc += [
            "- withdraw(student): drop the student from every course taken or waited for (in "
            "the order the courses were given); False if there is none, else True.",
            "- set_capacity(course, n): the course's capacity becomes n and the first students "
            "waiting take any free seats; refused if n is below the number enrolled.",
            "- capacities(): {course: capacity}.",
            "- load(): {student: number of courses taken} for every student taking one.",
        ]
    doc += ["", "Every view must always agree with every other."]
    return "\n".join(doc)


def make_roster(level: int, rng: random.Random) -> Design:
    """A two-way index with counts (level 2: waitlists; level 3: withdraw, capacity, load)."""
    cls = pick(rng, ROSTER_NAMES)
    courses = rng.sample(COURSES, 2 + (level >= 2))
    capacity = rng.randrange(1, 3)
    people = rng.sample(STUDENTS, 4 + level)
    pairs = sample_args(rng, [people, [*courses, "shop"]], 14)
    choices: list[tuple[str, Any]] = [("enrol", pairs), ("enrol", pairs), ("drop", pairs)]
    c = courses[0]
    p0, p1, p2, p3 = people[:4]
    fill = [("enrol", [p, c]) for p in people[: capacity + 2]]
    adversarial: list[Steps] = [
        steps(*fill, ("drop", [p0, c]), ("enrol", [p0, c])),
        steps(("enrol", [p0, c]), ("drop", [p0, c]), ("enrol", [p1, c]), ("drop", [p1, c])),
        steps(("enrol", [p0, c]), ("enrol", [p0, courses[1]]), ("drop", [p0, c])),
        steps(("enrol", [p2, "shop"]), ("drop", [p3, c]), ("enrol", [p2, c]), ("enrol", [p2, c])),
        steps(*fill, ("drop", [people[capacity + 1], c]), ("drop", [p0, c])),
    ]
    if level >= 3:
        choices += [
            ("withdraw", [[p] for p in people[:4]]),
            ("set_capacity", [[c, 0], [c, capacity + 1], [courses[1], 3], ["shop", 2]]),
        ]
        adversarial += [
            steps(*fill, ("set_capacity", [c, capacity + 2]), ("withdraw", [p0])),
            steps(*fill, ("enrol", [p0, courses[1]]), ("withdraw", [p0]), ("set_capacity", [c, 0])),
        ]
    adversarial += boundary_runs(choices, 3)
    observe = ["courses_of", "students_of", "counts"] + (["waitlists"] if level >= 2 else [])
    observe += ["capacities", "load"] if level >= 3 else []
    names = ["one-sided-drop", "count-on-enrol-only", "capacity-off-by-one", "shared-lists"]
    names += ["drop-no-promote", "promote-unindexed"] if level >= 2 else []
    names += ["raise-no-promote"] if level >= 3 else []
    reference = _roster_methods(level)
    mutants = []
    for name in names:
        wrong = _roster_methods(level, name)
        changed = {k: v for k, v in wrong.items() if reference.get(k) != v}
        mutants.append(Mutant(name, ROSTER_MISTAKES[name], changed))
    spec = Spec(
        cls,
        _roster_doc(level, cls),
        [courses, capacity],
        reference,
        observe,
        "coupled",
        _roster_couplings(level, courses, capacity),
        lambda r: random_calls(r, choices, 4, 24),
        adversarial,
        mutants,
        state_size=len(observe),
    )
    return Design(spec, depth=2)
