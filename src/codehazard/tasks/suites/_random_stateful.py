"""``nondeterminism`` templates of level 3: conditional and stateful randomness.

Reservoir sampling over a one-pass stream, a deck drawn without replacement and reshuffled, a
picker that never repeats itself, an urn, weighted draws without replacement, and a random walk
stopped at absorbing barriers. Samplers with state are classes: the checker builds objects and
calls their method many times, and tests the sequences (blocks, transitions, whole draws).
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction
from typing import Any

from codehazard.tasks._kind_statistical import (
    ChiSquareTest,
    Contract,
    Projection,
    Sampling,
    TransitionTest,
)
from codehazard.tasks.suites._random_common import (
    REPEATABLE,
    Draft,
    Mutant,
    Template,
    category_key,
    checker,
    distribution,
    draws_for,
    pick_name,
    seeds,
    tails,
    uniform,
)
from codehazard.tasks.suites._random_templates import RNG, SEED, WORDS


def reservoir(rng: random.Random, index: int) -> Draft:
    n = rng.randint(6, 8)
    k = rng.randint(2, 3)
    items = rng.sample(WORDS, n)
    name = pick_name(("reservoir_sample", "sample_stream", "stream_sample", "reservoir"), index)
    sorted_ = Projection(of="sorted")
    expected = distribution(uniform(list(c) for c in itertools.combinations(items, k)), sorted_)
    head = "    sample: list[str] = []\n    for i, item in enumerate(stream):\n"
    fill = "        if i < k:\n            sample.append(item)\n"
    return Draft(
        "reservoir",
        name,
        f"def {name}(stream: Iterator[str], k: int, rng: random.Random) -> list[str]:",
        "Return ``k`` elements of ``stream``, an iterator of distinct items that can be read "
        "only once and whose length is not known in advance (but is at least ``k``).\n\nEvery "
        "set of ``k`` items is equally likely to be returned (in any order). Keep at most ``k`` "
        "items in memory (reservoir sampling). Draw only from ``rng``.",
        head + fill + "        else:\n            j = rng.randint(0, i)\n"
        "            if j < k:\n                sample[j] = item\n    return sample\n",
        checker(
            Sampling(args=[{"$iter": items}, k, RNG], draws=draws_for(expected), **seeds(rng)),
            [ChiSquareTest(label="the set kept", projection=sorted_, expected=expected)],
            [
                Contract(contract="length", length=k),
                Contract(contract="distinct", of=items),
                REPEATABLE,
            ],
            serial=True,
        ),
        [
            Mutant(
                "off-by-one",
                "j drawn from 0..i-1: later items are over-weighted",
                head + fill + "        else:\n            j = rng.randint(0, i - 1)\n"
                "            if j < k:\n                sample[j] = item\n    return sample\n",
            ),
            Mutant(
                "over-weights-first",
                "replaces with probability 1/(i+1) instead of k/(i+1)",
                head + fill + "        elif rng.random() < 1 / (i + 1):\n"
                "            sample[rng.randrange(k)] = item\n    return sample\n",
            ),
            Mutant("not-random", "keeps the first k items", head + fill + "    return sample\n"),
            Mutant(
                "seed-ignored",
                "the global generator",
                head + fill + "        else:\n            j = random.randint(0, i)\n"
                "            if j < k:\n                sample[j] = item\n    return sample\n",
            ),
        ],
        {"items": items, "k": k},
    )


def _perm_table(items: list[str]) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    perms = [list(p) for p in itertools.permutations(items)]
    flat = distribution(uniform(perms), Projection(of="value"))
    return flat, {prev: dict(flat) for prev in flat}


DECK_INIT = (
    "    def __init__(self, cards: list[str], seed: int) -> None:\n"
    "        self._cards = list(cards)\n        self._rng = random.Random(seed)\n"
    "        self._pile: list[str] = []\n\n"
)


def deck(rng: random.Random, index: int) -> Draft:
    n = rng.choice((3, 4))
    cards = rng.sample(WORDS, n)
    name = pick_name(("Deck", "CardPile", "ShuffledDeck", "Shoe"), index)
    flat, table = _perm_table(cards)
    cycles = 4 if n == 3 else 5
    blocks = Projection(of="blocks", size=n)
    objects = 1500
    draw = "    def draw(self) -> str:\n"
    refill = "        if not self._pile:\n            self._pile = self._cards[:]\n"
    return Draft(
        "deck",
        name,
        f"class {name}:",
        "A deck of ``cards`` (distinct names) dealt in random order, seeded by ``seed``.\n\n"
        "``draw()`` returns the next card. The cards are dealt without replacement in a "
        "uniformly random order; when every card has been dealt, the deck is reshuffled (a new, "
        "independent uniformly random order) and dealing goes on. Two decks made with the same "
        "seed deal the same cards. The constructor is ``__init__(self, cards: list[str], seed: "
        "int)``.",
        DECK_INIT + draw + refill + "            self._rng.shuffle(self._pile)\n"
        "        return self._pile.pop()\n",
        checker(
            Sampling(
                form="object",
                init=[cards, SEED],
                method="draw",
                draws=objects,
                calls=n * cycles,
                **seeds(rng),
            ),
            [
                ChiSquareTest(label="the order of each round", projection=blocks, expected=flat),
                TransitionTest(
                    label="the order after the previous round",
                    projection=Projection(of="pairs", size=n),
                    expected=table,
                ),
            ],
            [Contract(contract="permutation", projection=blocks, of=cards), REPEATABLE],
        ),
        [
            Mutant(
                "with-replacement",
                "draws any card every time",
                DECK_INIT + draw + "        return self._rng.choice(self._cards)\n",
            ),
            Mutant(
                "no-reshuffle",
                "shuffles once and deals the same order every round",
                DECK_INIT + draw + "        if not self._pile:\n"
                "            if not hasattr(self, '_order'):\n"
                "                self._order = self._cards[:]\n"
                "                self._rng.shuffle(self._order)\n"
                "            self._pile = self._order[:]\n        return self._pile.pop()\n",
            ),
            Mutant(
                "biased-shuffle",
                "reshuffles by swapping each position with any position",
                DECK_INIT + draw + refill + "            for i in range(len(self._pile)):\n"
                "                j = self._rng.randrange(len(self._pile))\n"
                "                self._pile[i], self._pile[j] = self._pile[j], self._pile[i]\n"
                "        return self._pile.pop()\n",
            ),
            Mutant(
                "seed-ignored",
                "an unseeded generator",
                DECK_INIT.replace("random.Random(seed)", "random.Random()")
                + draw
                + refill
                + "            self._rng.shuffle(self._pile)\n        return self._pile.pop()\n",
            ),
        ],
        {"cards": cards, "cycles": cycles},
        is_class=True,
    )


PICKER_INIT = (
    "    def __init__(self, items: list[str], seed: int) -> None:\n"
    "        self._items = list(items)\n        self._rng = random.Random(seed)\n"
    "        self._last: str | None = None\n\n"
)


def no_repeat(rng: random.Random, index: int) -> Draft:
    n = rng.randint(4, 6)
    items = rng.sample(WORDS, n)
    name = pick_name(("NoRepeatPicker", "FreshPicker", "Shuffler", "VariedChooser"), index)
    keys = [category_key(x) for x in items]
    table = {a: {b: 1 / (n - 1) for b in keys if b != a} for a in keys}
    first = distribution(uniform(items))
    method = "    def pick(self) -> str:\n"
    ret = "        self._last = choice\n        return choice\n"
    calls = 20
    return Draft(
        "no-repeat",
        name,
        f"class {name}:",
        "Picks items at random but never the same item twice in a row, seeded by ``seed``.\n\n"
        "``pick()`` returns one of ``items`` (distinct names): the first call any item with "
        "equal probability, each later call any item other than the one picked just before, "
        "with equal probability. Two pickers made with the same seed pick the same items. The "
        "constructor is ``__init__(self, items: list[str], seed: int)``.",
        PICKER_INIT + method + "        options = [x for x in self._items if x != self._last]\n"
        "        choice = self._rng.choice(options)\n" + ret,
        checker(
            Sampling(
                form="object",
                init=[items, SEED],
                method="pick",
                draws=1200,
                calls=calls,
                **seeds(rng),
            ),
            [
                ChiSquareTest(
                    label="the first pick", projection=Projection(of="item"), expected=first
                ),
                TransitionTest(label="the pick after another", expected=table),
            ],
            [REPEATABLE],
        ),
        [
            Mutant(
                "missing-condition",
                "may repeat the last item",
                PICKER_INIT + method + "        choice = self._rng.choice(self._items)\n" + ret,
            ),
            Mutant(
                "missing-condition",
                "rerolls a repeat once only",
                PICKER_INIT + method + "        choice = self._rng.choice(self._items)\n"
                "        if choice == self._last:\n"
                "            choice = self._rng.choice(self._items)\n" + ret,
            ),
            Mutant(
                "off-by-one",
                "steps 1 to n - 2 places on: never the item before the last",
                PICKER_INIT + method + "        n = len(self._items)\n"
                "        if self._last is None:\n"
                "            choice = self._rng.choice(self._items)\n"
                "        else:\n"
                "            i = self._items.index(self._last) + self._rng.randint(1, n - 2)\n"
                "            choice = self._items[i % n]\n" + ret,
            ),
            Mutant(
                "seed-ignored",
                "the global generator",
                PICKER_INIT
                + method
                + "        options = [x for x in self._items if x != self._last]\n"
                "        choice = random.choice(options)\n" + ret,
            ),
        ],
        {"items": items},
        is_class=True,
    )


URN_INIT = (
    "    def __init__(self, counts: dict[str, int], seed: int) -> None:\n"
    "        self._counts = dict(counts)\n        self._rng = random.Random(seed)\n\n"
)
URN_COUNTS = (
    {"red": 2, "blue": 2, "green": 1},
    {"red": 3, "blue": 2},
    {"red": 2, "blue": 1, "green": 1},
    {"red": 3, "blue": 2, "green": 1},
    {"red": 1, "blue": 3, "green": 2},
)


def urn(rng: random.Random, index: int) -> Draft:
    counts = dict(rng.choice(URN_COUNTS))
    balls = [c for c, m in counts.items() for _ in range(m)]
    name = pick_name(("Urn", "BallBag", "LotteryDrum", "MarbleJar"), index)
    arrangements = sorted({tuple(p) for p in itertools.permutations(balls)})
    expected = distribution(uniform(list(a) for a in arrangements))
    draw = "    def draw(self) -> str:\n"
    take = "        self._counts[colour] -= 1\n        return colour\n"
    loop = "        for colour, n in self._counts.items():\n"
    return Draft(
        "urn",
        name,
        f"class {name}:",
        "An urn holding ``counts[colour]`` balls of each colour, seeded by ``seed``.\n\n"
        "``draw()`` takes one ball out, every ball left in the urn being equally likely, and "
        "returns its colour; balls are not put back. Two urns made with the same seed give the "
        "same draws. The constructor is ``__init__(self, counts: dict[str, int], seed: int)``; "
        "``draw()`` is never called on an empty urn.",
        URN_INIT
        + draw
        + "        r = self._rng.randrange(sum(self._counts.values()))\n"
        + loop
        + "            if r < n:\n                break\n            r -= n\n"
        + take,
        checker(
            Sampling(
                form="object",
                init=[counts, SEED],
                method="draw",
                draws=draws_for(expected),
                calls=len(balls),
                **seeds(rng),
            ),
            [ChiSquareTest(label="the order of the draws", expected=expected)],
            [Contract(contract="permutation", of=balls), REPEATABLE],
            serial=True,
        ),
        [
            Mutant(
                "weights-ignored",
                "each colour left equally likely, whatever its count",
                URN_INIT + draw + "        colour = self._rng.choice([c for c, n in"
                " self._counts.items() if n > 0])\n" + take,
            ),
            Mutant(
                "with-replacement",
                "never takes the ball out",
                URN_INIT
                + draw
                + "        r = self._rng.randrange(sum(self._counts.values()))\n"
                + loop
                + "            if r < n:\n                return colour\n            r -= n\n"
                "        return colour\n",
            ),
            Mutant(
                "off-by-one",
                "randint(0, total): r = total falls through to the last colour",
                URN_INIT
                + draw
                + "        r = self._rng.randint(0, sum(self._counts.values()))\n"
                + loop
                + "            if r < n:\n                break\n            r -= n\n"
                + take,
            ),
            Mutant(
                "seed-ignored",
                "the global generator",
                URN_INIT
                + draw
                + "        r = random.randrange(sum(self._counts.values()))\n"
                + loop
                + "            if r < n:\n                break\n            r -= n\n"
                + take,
            ),
        ],
        {"counts": counts},
        is_class=True,
    )


def weighted_sample(rng: random.Random, index: int) -> Draft:
    keys = rng.sample(WORDS, 4)
    weights = {k: rng.randint(2, 6) for k in keys}
    weights[keys[0]] = 8
    k = 2
    outcomes: list[tuple[Any, Fraction]] = []
    for a, b in itertools.permutations(keys, 2):
        total = sum(weights.values())
        outcomes.append(
            ([a, b], Fraction(weights[a], total) * Fraction(weights[b], total - weights[a]))
        )
    expected = distribution(outcomes)
    name = pick_name(
        ("weighted_sample", "sample_without_replacement", "draw_distinct", "pick_two"), index
    )
    return Draft(
        "weighted-sample",
        name,
        f"def {name}(weights: dict[str, int], k: int, rng: random.Random) -> list[str]:",
        "Draw ``k`` distinct keys of ``weights`` one after another, without replacement: each "
        "draw picks one of the keys not yet drawn with probability proportional to its weight "
        "(a positive integer). Return the keys in the order drawn.\n\nDraw only from ``rng``.",
        "    pool = dict(weights)\n    out = []\n    for _ in range(k):\n"
        "        r = rng.random() * sum(pool.values())\n        for key, w in pool.items():\n"
        "            r -= w\n            if r < 0:\n                break\n"
        "        out.append(key)\n        del pool[key]\n    return out\n",
        checker(
            Sampling(args=[weights, k, RNG], draws=draws_for(expected), **seeds(rng)),
            [ChiSquareTest(label="the keys drawn, in order", expected=expected)],
            [
                Contract(contract="length", length=k),
                Contract(contract="distinct", of=keys),
                REPEATABLE,
            ],
            serial=True,
        ),
        [
            Mutant(
                "with-replacement",
                "random.choices draws with replacement",
                "    return rng.choices(list(weights), list(weights.values()), k=k)\n",
            ),
            Mutant(
                "wrong-weights",
                "sorts by random() * weight (not random() ** (1 / weight))",
                "    return sorted(weights, key=lambda x:"
                " rng.random() * weights[x], reverse=True)[:k]\n",
            ),
            Mutant(
                "weights-ignored", "a uniform sample", "    return rng.sample(list(weights), k)\n"
            ),
            Mutant(
                "seed-ignored",
                "the global generator",
                "    pool = dict(weights)\n    out = []\n    for _ in range(k):\n"
                "        key = random.choices(list(pool), list(pool.values()))[0]\n"
                "        out.append(key)\n        del pool[key]\n    return out\n",
            ),
        ],
        {"weights": weights, "k": k},
    )


def _ruin(start: int, high: int, clip: int) -> tuple[dict[int, Fraction], dict[int, Fraction]]:
    """Exact laws of the barrier reached and of the steps taken (merged at ``clip``)."""
    where: dict[int, Fraction] = {0: Fraction(0), high: Fraction(0)}
    steps: dict[int, Fraction] = {}
    alive = {start: Fraction(1)}
    for t in range(1, clip):
        nxt: dict[int, Fraction] = {}
        for pos, p in alive.items():
            for q in (pos - 1, pos + 1):
                nxt[q] = nxt.get(q, Fraction(0)) + p / 2
        for barrier in (0, high):
            mass = nxt.pop(barrier, Fraction(0))
            where[barrier] += mass
            steps[t] = steps.get(t, Fraction(0)) + mass
        alive = nxt
    steps[clip] = sum(alive.values(), Fraction(0))
    where[0] += sum(p * Fraction(high - pos, high) for pos, p in alive.items())
    where[high] += sum(p * Fraction(pos, high) for pos, p in alive.items())
    return where, {t: p for t, p in steps.items() if p > 0}


def gamblers_ruin(rng: random.Random, index: int) -> Draft:
    high = rng.randint(4, 6)
    start = rng.randint(1, high - 1)
    clip = 4 * high * 2
    where, steps = _ruin(start, high, clip)
    name = pick_name(("gamblers_ruin", "walk_to_barrier", "absorbed_walk", "ruin"), index)
    end = distribution(where.items(), Projection())
    by_steps = tails(steps.items(), low=False)
    length_projection = Projection(of="item", index=1, clip=by_steps.clip)
    length = distribution(steps.items(), Projection(clip=by_steps.clip))
    head = "    pos, steps = start, 0\n    while 0 < pos < high:\n"
    tail = "        steps += 1\n    return pos, steps\n"
    return Draft(
        "gamblers-ruin",
        name,
        f"def {name}(start: int, high: int) -> tuple[int, int]:",
        "A fair random walk starts at ``start`` (with ``0 < start < high``); each step is +1 or "
        "-1 with equal probability. It stops as soon as it reaches 0 or ``high``. Return the "
        "pair ``(final position, number of steps taken)``.\n\nUse the ``random`` module.",
        head + "        pos += 1 if random.random() < 0.5 else -1\n" + tail,
        checker(
            Sampling(
                args=[start, high], draws=max(draws_for(end), draws_for(length)), **seeds(rng)
            ),
            [
                ChiSquareTest(
                    label="the barrier reached", projection=Projection(of="item"), expected=end
                ),
                ChiSquareTest(
                    label="the number of steps",
                    projection=length_projection,
                    expected=length,
                ),
            ],
            [Contract(contract="length", length=2)],
        ),
        [
            Mutant(
                "lazy-steps",
                "steps of -1, 0 or +1",
                head + "        pos += random.randint(-1, 1)\n" + tail,
            ),
            Mutant(
                "off-by-one",
                "counts from 1",
                "    pos, steps = start, 1\n    while 0 < pos < high:\n"
                "        pos += 1 if random.random() < 0.5 else -1\n" + tail,
            ),
            Mutant(
                "reflecting",
                "bounces off 0 instead of stopping there",
                head + "        pos += 1 if random.random() < 0.5 else -1\n"
                "        if pos == 0:\n            pos = 1\n" + tail,
            ),
        ],
        {"start": start, "high": high, "clip": clip},
    )


LEVEL_3: tuple[Template, ...] = (reservoir, deck, no_repeat, urn, weighted_sample, gamblers_ruin)
