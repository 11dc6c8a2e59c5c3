"""``nondeterminism`` templates of levels 1 (a uniform choice) and 2 (weighted randomness).

Each template returns a ``Draft`` (``_random_common``): the specification, its reference, at
least three wrong bodies written as the mistakes a model makes, and the checker with the exact
distribution. Seeds reach the candidate where the specification takes them (an ``int`` seed,
a ``random.Random``); elsewhere the program uses the ``random`` module, which the judge seeds.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

from codehazard.tasks._kind_statistical import (
    ChiSquareTest,
    Contract,
    Projection,
    Sampling,
    UniformKSTest,
)
from codehazard.tasks.suites._random_common import (
    REPEATABLE,
    Draft,
    Mutant,
    Template,
    binomial,
    checker,
    distribution,
    draws_for,
    pick_name,
    seeds,
    tails,
    uniform,
)

RNG = {"$rng": None}
SEED = {"$seed": None}
WORDS = ("apple", "birch", "cedar", "delta", "ember", "fjord", "grove", "heron", "iris", "jade")


def _words(rng: random.Random, n: int) -> list[str]:
    return rng.sample(WORDS, n)


# level 1: a uniform choice ----------------------------------------------------------------


def die(rng: random.Random, index: int) -> Draft:
    sides = rng.choice((4, 6, 8, 10, 12, 20))
    name = pick_name(("roll_die", "throw_die", "random_face", "roll"), index)
    expected = distribution(uniform(range(1, sides + 1)))
    return Draft(
        "die",
        name,
        f"def {name}(sides: int, rng: random.Random) -> int:",
        "Roll a fair die whose faces are numbered 1 to ``sides``.\n\n"
        "Every face is equally likely. Draw only from ``rng``, so that two generators in the "
        "same state give the same face.",
        "    return rng.randint(1, sides)\n",
        checker(
            Sampling(args=[sides, RNG], draws=max(draws_for(expected), 300 * sides), **seeds(rng)),
            [ChiSquareTest(label="the face rolled", expected=expected)],
            [REPEATABLE],
            serial=True,
        ),
        [
            Mutant("off-by-one", "faces 0 to sides - 1", "    return rng.randint(0, sides - 1)\n"),
            Mutant("off-by-one", "never the top face", "    return rng.randrange(1, sides)\n"),
            Mutant(
                "biased-rounding",
                "rounds a scaled float: the end faces get half the weight",
                "    return round(rng.random() * (sides - 1)) + 1\n",
            ),
            Mutant(
                "seed-ignored",
                "draws from the global generator",
                "    return random.randint(1, sides)\n",
            ),
        ],
        {"sides": sides},
    )


def pick(rng: random.Random, index: int) -> Draft:
    items = _words(rng, rng.randint(3, 7))
    name = pick_name(("pick_one", "choose", "random_item", "draw_one"), index)
    expected = distribution(uniform(items))
    return Draft(
        "pick",
        name,
        f"def {name}(items: list[str], seed: int) -> str:",
        "Return one element of ``items`` chosen uniformly at random.\n\n"
        "The choice is determined by ``seed``: the same seed always gives the same element, and "
        "different seeds give independent choices. Do not change the global random state.",
        "    return random.Random(seed).choice(items)\n",
        checker(
            Sampling(args=[items, SEED], draws=draws_for(expected), **seeds(rng)),
            [ChiSquareTest(label="the element chosen", expected=expected)],
            [REPEATABLE],
            serial=True,
        ),
        [
            Mutant(
                "off-by-one",
                "never the last element",
                "    return items[random.Random(seed).randrange(len(items) - 1)]\n",
            ),
            Mutant("seed-ignored", "the global generator", "    return random.choice(items)\n"),
            Mutant(
                "not-random", "the seed modulo the length", "    return items[seed % len(items)]\n"
            ),
        ],
        {"items": items},
    )


SHUFFLE_DRAWS = {3: 9000, 4: 6000, 5: 12000}
"""Enough for the naive-swap shuffle, whose bias is smallest for three elements (orders of
probability 4/27 and 5/27 instead of 1/6)."""


def shuffle(rng: random.Random, index: int) -> Draft:
    n = rng.choice((3, 4, 5))
    items = _words(rng, n)
    name = pick_name(("shuffled", "random_order", "shuffle_copy", "permute"), index)
    expected = distribution(uniform(list(p) for p in itertools.permutations(items)))
    swap = "        out[i], out[j] = out[j], out[i]\n"
    return Draft(
        "shuffle",
        name,
        f"def {name}(items: list[str]) -> list[str]:",
        "Return a new list holding the elements of ``items`` in a uniformly random order.\n\n"
        "Every ordering is equally likely. Use the ``random`` module; leave ``items`` unchanged.",
        "    out = list(items)\n    random.shuffle(out)\n    return out\n",
        checker(
            Sampling(args=[items], draws=SHUFFLE_DRAWS[n], **seeds(rng)),
            [ChiSquareTest(label="the order returned", expected=expected)],
            [Contract(contract="permutation", of=items)],
            serial=True,
        ),
        [
            Mutant(
                "biased-shuffle",
                "swaps every position with any position (n^n paths onto n! orders)",
                "    out = list(items)\n    for i in range(len(out)):\n"
                "        j = random.randrange(len(out))\n" + swap + "    return out\n",
            ),
            Mutant(
                "off-by-one",
                "Sattolo's loop: j < i, so only cyclic orders come out",
                "    out = list(items)\n    for i in range(len(out) - 1, 0, -1):\n"
                "        j = random.randrange(i)\n" + swap + "    return out\n",
            ),
            Mutant(
                "biased-shuffle",
                "sorts by small random keys; ties keep the input order",
                "    return sorted(items, key=lambda _: random.randint(1, len(items)))\n",
            ),
            Mutant(
                "off-by-one",
                "the loop stops before i = 1",
                "    out = list(items)\n    for i in range(len(out) - 1, 1, -1):\n"
                "        j = random.randint(0, i)\n" + swap + "    return out\n",
            ),
        ],
        {"items": items},
    )


def subset(rng: random.Random, index: int) -> Draft:
    n = rng.randint(5, 7)
    k = rng.randint(2, 3)
    items = _words(rng, n)
    name = pick_name(("random_subset", "sample_k", "choose_k", "pick_some"), index)
    sorted_ = Projection(of="sorted")
    expected = distribution(uniform(list(c) for c in itertools.combinations(items, k)), sorted_)
    return Draft(
        "subset",
        name,
        f"def {name}(items: list[str], k: int, rng: random.Random) -> list[str]:",
        "Return ``k`` distinct elements of ``items`` (which holds no duplicates), as a list in "
        "any order.\n\nEvery set of ``k`` elements is equally likely. Draw only from ``rng``.",
        "    return rng.sample(items, k)\n",
        checker(
            Sampling(args=[items, k, RNG], draws=draws_for(expected), **seeds(rng)),
            [ChiSquareTest(label="the set drawn", projection=sorted_, expected=expected)],
            [
                Contract(contract="length", length=k),
                Contract(contract="distinct", of=items),
                REPEATABLE,
            ],
            serial=True,
        ),
        [
            Mutant(
                "with-replacement",
                "draws with replacement",
                "    return [rng.choice(items) for _ in range(k)]\n",
            ),
            Mutant(
                "not-uniform",
                "a contiguous window at a random start",
                "    start = rng.randrange(len(items) - k + 1)\n"
                "    return items[start:start + k]\n",
            ),
            Mutant(
                "over-weights-first",
                "always keeps the first element",
                "    return [items[0]] + rng.sample(items[1:], k - 1)\n",
            ),
            Mutant("seed-ignored", "the global generator", "    return random.sample(items, k)\n"),
        ],
        {"items": items, "k": k},
    )


def uniform_float(rng: random.Random, index: int) -> Draft:
    low = rng.choice((1, 2, 5, 10))
    high = low + rng.choice((1, 3, 5, 10))
    name = pick_name(("uniform_between", "random_float", "draw_uniform", "jitter"), index)
    return Draft(
        "uniform-float",
        name,
        f"def {name}(low: float, high: float, rng: random.Random) -> float:",
        "Return a float drawn uniformly from the interval ``[low, high)``.\n\n"
        "Draw only from ``rng``.",
        "    return low + (high - low) * rng.random()\n",
        checker(
            Sampling(args=[low, high, RNG], draws=3000, **seeds(rng)),
            [UniformKSTest(label="the value drawn", low=low, high=high)],
            [Contract(contract="range", low=low, high=high), REPEATABLE],
        ),
        [
            Mutant("wrong-range", "forgets the offset", "    return (high - low) * rng.random()\n"),
            Mutant("wrong-range", "from 0, not from low", "    return rng.uniform(0, high)\n"),
            Mutant("wrong-range", "scales by high", "    return low + high * rng.random()\n"),
            Mutant(
                "seed-ignored", "the global generator", "    return random.uniform(low, high)\n"
            ),
        ],
        {"low": low, "high": high},
    )


def coin_flips(rng: random.Random, index: int) -> Draft:
    n = rng.randint(8, 16)
    name = pick_name(("flip_coins", "coin_tosses", "random_bools", "toss"), index)
    law = binomial(n, Fraction(1, 2))
    ends = tails(law)
    count = Projection(of="count", value=True, floor=ends.floor, clip=ends.clip)
    outcomes = [([True] * k + [False] * (n - k), p) for k, p in law]
    expected = distribution(outcomes, count)
    return Draft(
        "coin-flips",
        name,
        f"def {name}(n: int) -> list[bool]:",
        "Flip a fair coin ``n`` times; return the results as a list of ``n`` booleans "
        "(``True`` for heads).\n\nThe flips are independent, each heads with probability 1/2. "
        "Use the ``random`` module.",
        "    return [random.random() < 0.5 for _ in range(n)]\n",
        checker(
            Sampling(args=[n], draws=draws_for(expected), **seeds(rng)),
            [ChiSquareTest(label="the number of heads", projection=count, expected=expected)],
            [Contract(contract="length", length=n)],
            serial=True,
        ),
        [
            Mutant(
                "not-independent",
                "one flip repeated n times",
                "    return [random.random() < 0.5] * n\n",
            ),
            Mutant(
                "off-by-one",
                "n - 1 flips",
                "    return [random.random() < 0.5 for _ in range(1, n)]\n",
            ),
            Mutant(
                "off-by-one",
                "randint's upper bound is inclusive: heads with probability 1/3",
                "    return [random.randint(0, 2) == 1 for _ in range(n)]\n",
            ),
        ],
        {"n": n},
    )


# level 2: weighted randomness -------------------------------------------------------------


def weighted_choice(rng: random.Random, index: int) -> Draft:
    keys = _words(rng, rng.randint(3, 5))
    weights = {k: rng.randint(1, 2) if i == 0 else rng.randint(2, 9) for i, k in enumerate(keys)}
    total = sum(weights.values())
    name = pick_name(("weighted_choice", "pick_weighted", "draw_weighted", "roulette"), index)
    expected = distribution((k, Fraction(w, total)) for k, w in weights.items())
    loop = "    for key, w in weights.items():\n"
    return Draft(
        "weighted-choice",
        name,
        f"def {name}(weights: dict[str, int], rng: random.Random) -> str:",
        "Return one key of ``weights``, chosen with probability proportional to its weight (a "
        "positive integer).\n\nDraw only from ``rng``.",
        "    r = rng.randrange(sum(weights.values()))\n"
        + loop
        + "        if r < w:\n            return key\n        r -= w\n    raise AssertionError\n",
        checker(
            Sampling(args=[weights, RNG], draws=draws_for(expected), **seeds(rng)),
            [ChiSquareTest(label="the key chosen", expected=expected)],
            [REPEATABLE],
            serial=True,
        ),
        [
            Mutant(
                "weights-ignored", "uniform over the keys", "    return rng.choice(list(weights))\n"
            ),
            Mutant(
                "off-by-one",
                "randint(0, total) with <=: the first key gets one extra share",
                "    r = rng.randint(0, sum(weights.values()))\n"
                + loop
                + "        if r <= w:\n            return key\n        r -= w\n    return key\n",
            ),
            Mutant(
                "not-renormalised",
                "accepts each key in turn with probability w / total",
                "    total = sum(weights.values())\n"
                + loop
                + "        if rng.random() < w / total:\n            return key\n    return key\n",
            ),
            Mutant(
                "seed-ignored",
                "the global generator",
                "    return random.choices(list(weights), list(weights.values()))[0]\n",
            ),
        ],
        {"weights": weights},
    )


PROBABILITIES = (
    Fraction(1, 5),
    Fraction(1, 4),
    Fraction(3, 10),
    Fraction(7, 20),
    Fraction(3, 5),
    Fraction(7, 10),
)


def successes(rng: random.Random, index: int) -> Draft:
    n = rng.randint(10, 20)
    p = rng.choice(PROBABILITIES)
    name = pick_name(("count_successes", "successes", "bernoulli_count", "hits"), index)
    law = binomial(n, p)
    projection = tails(law)
    expected = distribution(law, projection)
    return Draft(
        "successes",
        name,
        f"def {name}(n: int, p: float) -> int:",
        "Run ``n`` independent trials, each a success with probability ``p``; return the "
        "number of successes.\n\nUse the ``random`` module.",
        "    return sum(random.random() < p for _ in range(n))\n",
        checker(
            # n - 1 trials shift the mean by only p: 10,000 draws for power 0.999 at n = 20
            Sampling(args=[n, float(p)], draws=max(draws_for(expected), 10_000), **seeds(rng)),
            [
                ChiSquareTest(
                    label="the number of successes", projection=projection, expected=expected
                )
            ],
            serial=True,
        ),
        [
            Mutant(
                "wrong-comparison",
                "random.random() > p: success with probability 1 - p",
                "    return sum(random.random() > p for _ in range(n))\n",
            ),
            Mutant(
                "off-by-one",
                "n - 1 trials",
                "    return sum(random.random() < p for _ in range(1, n))\n",
            ),
            Mutant(
                "not-independent",
                "one draw decides every trial",
                "    return n if random.random() < p else 0\n",
            ),
        ],
        {"n": n, "p": str(p)},
    )


def geometric(rng: random.Random, index: int) -> Draft:
    p = rng.choice((Fraction(1, 10), Fraction(3, 20), Fraction(1, 5)))
    clip = 1
    while (1 - p) ** (clip - 1) * p >= Fraction(1, 100):
        clip += 1
    outcomes = [(k, (1 - p) ** (k - 1) * p) for k in range(1, clip)] + [
        (clip, (1 - p) ** (clip - 1))
    ]
    projection = Projection(clip=clip)
    expected = distribution(outcomes, projection)
    name = pick_name(
        ("trials_until_success", "attempts_needed", "tries_to_succeed", "first_success"), index
    )
    return Draft(
        "geometric",
        name,
        f"def {name}(p: float) -> int:",
        "Repeat independent trials, each a success with probability ``p``, until the first "
        "success; return how many trials were made (the successful one included).\n\n"
        "There is no limit on the number of trials. Use the ``random`` module.",
        "    n = 1\n    while random.random() >= p:\n        n += 1\n    return n\n",
        checker(
            Sampling(args=[float(p)], draws=draws_for(expected), **seeds(rng)),
            [ChiSquareTest(label="the number of trials", projection=projection, expected=expected)],
            serial=True,
        ),
        [
            Mutant(
                "off-by-one",
                "counts the failures only",
                "    n = 0\n    while random.random() >= p:\n        n += 1\n    return n\n",
            ),
            Mutant(
                "wrong-comparison",
                "loops while random.random() < p: success with probability 1 - p",
                "    n = 1\n    while random.random() < p:\n        n += 1\n    return n\n",
            ),
            Mutant(
                "capped",
                "gives up after 10 trials",
                "    for n in range(1, 10):\n        if random.random() < p:\n"
                "            return n\n    return 10\n",
            ),
        ],
        {"p": str(p), "clip": clip},
    )


def random_walk(rng: random.Random, index: int) -> Draft:
    steps = rng.randint(8, 16)
    p = rng.choice((Fraction(3, 10), Fraction(2, 5), Fraction(3, 5), Fraction(7, 10)))
    law = [(2 * k - steps, q) for k, q in binomial(steps, p)]
    projection = tails(law)
    expected = distribution(law, projection)
    name = pick_name(("random_walk", "walk_position", "final_position", "drift"), index)
    return Draft(
        "random-walk",
        name,
        f"def {name}(steps: int, p: float) -> int:",
        "A walker starts at position 0 and takes ``steps`` steps; each step is +1 with "
        "probability ``p`` and -1 otherwise, independently. Return the final position.\n\n"
        "Use the ``random`` module.",
        "    pos = 0\n    for _ in range(steps):\n        pos += 1 if random.random() < p else -1\n"
        "    return pos\n",
        checker(
            Sampling(args=[steps, float(p)], draws=draws_for(expected), **seeds(rng)),
            [ChiSquareTest(label="the final position", projection=projection, expected=expected)],
            serial=True,
        ),
        [
            Mutant(
                "wrong-comparison",
                "+1 when random.random() > p",
                "    pos = 0\n    for _ in range(steps):\n"
                "        pos += 1 if random.random() > p else -1\n"
                "    return pos\n",
            ),
            Mutant(
                "off-by-one",
                "steps - 1 steps",
                "    pos = 0\n    for _ in range(steps - 1):\n"
                "        pos += 1 if random.random() < p else -1\n"
                "    return pos\n",
            ),
            Mutant(
                "weights-ignored",
                "fair steps whatever p is",
                "    return sum(random.choice((-1, 1)) for _ in range(steps))\n",
            ),
        ],
        {"steps": steps, "p": str(p)},
    )


def backoff(rng: random.Random, index: int) -> Draft:
    attempts = rng.randint(4, 5)
    base = rng.choice((0.1, 0.25, 0.5, 1.0))
    cap = base * 2 ** (attempts - 2)
    name = pick_name(("backoff_delays", "retry_delays", "jittered_backoff", "full_jitter"), index)
    tests = [
        UniformKSTest(
            label=f"the delay before retry {i}",
            projection=Projection(of="item", index=i),
            low=0.0,
            high=min(cap, base * 2**i),
        )
        for i in range(attempts)
    ]
    return Draft(
        "backoff",
        name,
        f"def {name}(attempts: int, base: float, cap: float, rng: random.Random) -> list[float]:",
        "Return the delays (in seconds) to wait before each of ``attempts`` retries, with "
        "exponential backoff and full jitter.\n\nThe delay before retry ``i`` (counting from 0) "
        "is drawn uniformly from ``[0, min(cap, base * 2 ** i)]``, independently of the others. "
        "Draw only from ``rng``.",
        "    return [rng.uniform(0, min(cap, base * 2 ** i)) for i in range(attempts)]\n",
        checker(
            Sampling(args=[attempts, base, cap, RNG], draws=2500, **seeds(rng)),
            tests,
            [
                Contract(contract="length", length=attempts),
                Contract(contract="range", projection=Projection(of="each"), low=0.0, high=cap),
                REPEATABLE,
            ],
        ),
        [
            Mutant(
                "missing-cap",
                "never caps the delay",
                "    return [rng.uniform(0, base * 2 ** i) for i in range(attempts)]\n",
            ),
            Mutant(
                "off-by-one",
                "exponent i + 1",
                "    return [rng.uniform(0, min(cap, base * 2 ** (i"
                " + 1))) for i in range(attempts)]\n",
            ),
            Mutant(
                "wrong-jitter",
                "equal jitter: half the delay fixed, half random",
                "    delays = []\n    for i in range(attempts):\n"
                "        d = min(cap, base * 2 ** i)\n"
                "        delays.append(d / 2 + rng.uniform(0, d / 2))\n    return delays\n",
            ),
            Mutant(
                "seed-ignored",
                "the global generator",
                "    return [random.uniform(0, min(cap, base * 2 **"
                " i)) for i in range(attempts)]\n",
            ),
        ],
        {"attempts": attempts, "base": base, "cap": cap},
    )


def two_dice(rng: random.Random, index: int) -> Draft:
    sides = rng.choice((4, 6, 8, 10))
    name = pick_name(("roll_two_dice", "dice_sum", "two_dice_total", "roll_pair"), index)
    expected = distribution(
        (a + b, Fraction(1, sides * sides))
        for a in range(1, sides + 1)
        for b in range(1, sides + 1)
    )
    return Draft(
        "two-dice",
        name,
        f"def {name}(sides: int, rng: random.Random) -> int:",
        "Roll two fair dice, each with faces numbered 1 to ``sides``, and return the sum of the "
        "two faces.\n\nDraw only from ``rng``.",
        "    return rng.randint(1, sides) + rng.randint(1, sides)\n",
        checker(
            Sampling(args=[sides, RNG], draws=draws_for(expected), **seeds(rng)),
            [ChiSquareTest(label="the sum rolled", expected=expected)],
            [REPEATABLE],
            serial=True,
        ),
        [
            Mutant(
                "not-weighted",
                "a uniform sum from 2 to 2 * sides",
                "    return rng.randint(2, 2 * sides)\n",
            ),
            Mutant("not-independent", "one die doubled", "    return 2 * rng.randint(1, sides)\n"),
            Mutant(
                "off-by-one",
                "the second die from 0",
                "    return rng.randint(1, sides) + rng.randint(0, sides)\n",
            ),
            Mutant(
                "seed-ignored",
                "the global generator",
                "    return random.randint(1, sides) + random.randint(1, sides)\n",
            ),
        ],
        {"sides": sides},
    )


LEVEL_1: tuple[Template, ...] = (die, pick, shuffle, subset, uniform_float, coin_flips)
LEVEL_2: tuple[Template, ...] = (
    weighted_choice,
    successes,
    geometric,
    random_walk,
    backoff,
    two_dice,
)
