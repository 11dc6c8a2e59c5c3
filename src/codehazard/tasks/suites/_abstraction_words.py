"""Capability ``top-words``: the most frequent words of a text, at four levels.

L1 ``top_words(text, k)`` with splitting, case and ties stated; L2 "the K most common words
of a text, with their counts" (open: case, and the order of equally common words, readings;
implied: words are separated by any whitespace, repeated or not, and there may be fewer than
K of them, or none); L3 a word index (add, count, forget, top); L4 a chat service's trending
words from a user story: a parser, a counter per channel, a merge across channels and a
formatter behind ``handle(line)``.
"""

from __future__ import annotations

import random

from codehazard.tasks.suites._abstraction_spec import Edit, Spec, Steps, pick

FUNCTIONS = ("top_words", "most_frequent", "frequent_words", "word_ranking", "leading_words")
L2_FUNCTIONS = ("common_words", "popular_words", "word_leaders", "top_terms", "frequent_terms")
CLASSES = ("WordIndex", "WordCounter", "Tally", "Lexicon", "TermCounts")
SYSTEMS = ("Trends", "ChatTrends", "TrendingWords", "Buzz", "ChannelStats")
VOCABULARY = ("red", "blue", "sun", "moon", "tea", "code", "ship", "rain", "map", "owl")
CHANNELS = ("general", "random", "dev", "ops", "sales")

CORE = """
counts = {}
for word in TEXT.split():
    counts[word] = counts.get(word, 0) + 1
ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
return [[word, count] for word, count in ranked[:K]]
"""
TIES = "key=lambda item: (-item[1], item[0])"


def _text(rng: random.Random, count: int, mixed: bool) -> str:
    pool = rng.sample(VOCABULARY, rng.randint(2, 6))
    words = [rng.choice(pool) for _ in range(count)]
    if mixed:
        words = [
            w.upper() if rng.random() < 0.2 else w.title() if rng.random() < 0.2 else w
            for w in words
        ]
    gaps = [rng.choice((" ", " ", " ", "  ", "\n", "\t")) for _ in words]
    return "".join(w + g for w, g in zip(words, gaps, strict=True)).strip(" ")


def _l1(rng: random.Random) -> Spec:
    fn = pick(rng, FUNCTIONS)
    doc = (
        "The k most frequent words of a text.\n\n"
        "Words are the pieces of text between whitespace (any amount of spaces, tabs or "
        "newlines), lowercased. Return the k most frequent words (k >= 0) as [word, count] "
        "lists, most frequent first, words equally frequent in alphabetical order; all of "
        "them when there are fewer than k distinct words ([] for a text with no words)."
    )
    calls: list[list[object]] = [["", 3], ["a b", 0]]
    calls += [[_text(rng, rng.randint(1, 18), True), rng.randint(1, 5)] for _ in range(24)]
    return Spec(
        fn,
        "function",
        f"def {fn}(text, k):",
        doc,
        CORE.replace("TEXT", "text.lower()").replace("K", "k"),
        [
            Edit(
                "ties-first-seen",
                "equally frequent words keep the order they first appear in",
                ((TIES, "key=lambda item: -item[1]"),),
            ),
            Edit(
                "case-sensitive",
                "counts Sun and sun as different words",
                (("text.lower().split()", "text.split()"),),
            ),
            Edit(
                "space-split",
                "splits at single spaces only",
                (("text.lower().split()", 'text.lower().split(" ")'),),
            ),
        ],
        calls=calls,
    )


def _l2(rng: random.Random) -> Spec:
    fn = pick(rng, L2_FUNCTIONS)
    k = rng.randint(2, 4)
    doc = pick(
        rng,
        (
            f"Return the {k} most common words in a text, with how often each occurs, most "
            "common first.",
            f"Given a text, list its {k} most frequent words together with their counts, "
            "from the most frequent down.",
        ),
    )
    ranks = rng.sample(VOCABULARY, k + 2)
    steps = " ".join(w for i, w in enumerate(ranks) for _ in range(k + 2 - i))
    calls: list[list[object]] = [[""], ["tea"], [steps]]
    calls += [[_text(rng, rng.randint(1, 16), rng.random() < 0.3)] for _ in range(60)]
    return Spec(
        fn,
        "function",
        f"def {fn}(text):",
        doc,
        CORE.replace("TEXT", "text").replace("K", str(k)),
        [
            Edit(
                "space-split",
                "splits at single spaces, so tabs, newlines and double spaces break it",
                (("text.split()", 'text.split(" ")'),),
            ),
            Edit("one-short", f"returns {k - 1} words", ((f"ranked[:{k}]", f"ranked[:{k - 1}]"),)),
            Edit(
                "least-first",
                "lists the least common first",
                (("(-item[1], item[0])", "(item[1], item[0])"),),
            ),
        ],
        readings=[
            Edit(
                "ties-first-seen",
                "equally common words in the order they first appear",
                ((TIES, "key=lambda item: -item[1]"),),
            ),
            Edit(
                "ties-reverse",
                "equally common words in reverse alphabetical order",
                (
                    (
                        TIES + ")",
                        "key=lambda item: item[0], reverse=True)\n"
                        "ranked.sort(key=lambda item: -item[1])",
                    ),
                ),
            ),
            Edit(
                "case-insensitive",
                "words compared without case",
                (("text.split()", "text.lower().split()"),),
            ),
        ],
        calls=calls,
    )


L3_BODY = """
def __init__(self):
    self._counts = {}

def add(self, text):
    words = text.lower().split()
    for word in words:
        self._counts[word] = self._counts.get(word, 0) + 1
    return len(words)

def count(self, word):
    return self._counts.get(word.lower(), 0)

def forget(self, word):
    return self._counts.pop(word.lower(), 0)

def top(self, k):
    ranked = sorted(self._counts.items(), key=lambda item: (-item[1], item[0]))
    return [[word, count] for word, count in ranked[:k]]
"""


def _class_steps(rng: random.Random) -> Steps:
    steps: Steps = []
    for _ in range(rng.randint(3, 12)):
        name = rng.choice(("add", "add", "add", "count", "forget", "top", "top"))
        if name == "add":
            args: list[object] = [_text(rng, rng.randint(0, 8), True)]
        elif name == "top":
            args = [rng.randint(1, 5)]
        else:
            args = [
                rng.choice(VOCABULARY[:6]).title()
                if rng.random() < 0.3
                else rng.choice(VOCABULARY[:6])
            ]
        steps.append((name, args))
    return steps


def _l3(rng: random.Random) -> Spec:
    cls = pick(rng, CLASSES)
    doc = (
        "Counts of the words of texts.\n\n"
        f"- {cls}(): no words counted.\n"
        "- add(text) -> int: count the text's words (the pieces between whitespace, "
        "lowercased); returns how many words the text has.\n"
        "- count(word) -> int: how often the word (in any case) has been counted.\n"
        "- forget(word) -> int: drop the word (in any case) from the counts; returns the "
        "count it had (0 if none).\n"
        "- top(k) -> list: the k most counted words as [word, count] lists, most counted "
        "first, equal counts in alphabetical order; all of them when there are fewer."
    )
    return Spec(
        cls,
        "class",
        f"class {cls}:",
        doc,
        L3_BODY,
        [
            Edit(
                "count-case",
                "count does not lowercase the word asked for",
                (("self._counts.get(word.lower(), 0)", "self._counts.get(word, 0)"),),
            ),
            Edit(
                "forget-keeps",
                "forget sets the count to zero but keeps the word",
                (
                    (
                        "return self._counts.pop(word.lower(), 0)",
                        "had = self._counts.get(word.lower(), 0)\n    if had:\n"
                        "        self._counts[word.lower()] = 0\n    return had",
                    ),
                ),
            ),
            Edit(
                "ties-first-seen",
                "equal counts keep the order words were first seen",
                ((TIES, "key=lambda item: -item[1]"),),
            ),
            Edit(
                "add-distinct",
                "add returns the number of distinct words",
                (("return len(words)", "return len(set(words))"),),
            ),
        ],
        sequences=[
            [("add", ["sun moon Sun tea"]), ("forget", ["SUN"]), ("top", [5]), ("count", ["Moon"])],
            *(_class_steps(rng) for _ in range(24)),
        ],
    )


L4_BODY = '''
def parse(line):
    """('post', channel, words), ('top', channel or '*', k) or None."""
    parts = line.split()
    if len(parts) >= 3 and parts[0] == "post":
        return ("post", parts[1], [w.lower() for w in parts[2:]])
    if len(parts) == 3 and parts[0] == "top" and parts[2].isdigit():
        return ("top", parts[1], int(parts[2]))
    return None


def add_counts(total, counts):
    for word, count in counts.items():
        total[word] = total.get(word, 0) + count
    return total


def ranking(counts, k):
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return " ".join(f"{word}:{count}" for word, count in ranked[:k]) or "none"


class ENTRY:
    def __init__(self):
        self._channels = {}

    def handle(self, line):
        command = parse(line)
        if command is None:
            return "error"
        if command[0] == "post":
            counts = self._channels.setdefault(command[1], {})
            add_counts(counts, {w: command[2].count(w) for w in command[2]})
            return "ok"
        _, channel, k = command
        if channel == "*":
            total = {}
            for counts in self._channels.values():
                add_counts(total, counts)
            return ranking(total, k)
        return ranking(self._channels.get(channel, {}), k)
'''


def _session(rng: random.Random, channels: list[str]) -> Steps:
    steps: Steps = []
    for _ in range(rng.randint(4, 14)):
        roll = rng.random()
        if roll < 0.55:
            text = _text(rng, rng.randint(1, 7), True).replace("\n", " ").replace("\t", " ")
            line = f"post {rng.choice(channels)} {text}"
        elif roll < 0.93:
            line = f"top {rng.choice([*channels, '*', '*'])} {rng.randint(1, 4)}"
        else:
            line = rng.choice(("post general", "top dev", "top * x", "stats"))
        steps.append(("handle", [line]))
    return steps


def _l4(rng: random.Random) -> Spec:
    entry = pick(rng, SYSTEMS)
    channels = rng.sample(CHANNELS, 2)
    doc = (
        "As a support lead, I want to feed in chat messages and ask which words are trending "
        "in a channel or everywhere, so that I notice what customers are talking about.\n\n"
        f"The service is used through one class, `{entry}()`, with one method, "
        "`handle(line) -> str`, called once per line:\n\n"
        "- `post <channel> <message>`: the message's words (the pieces between spaces, in any "
        "case) are counted for that channel; the answer is `ok`.\n"
        "- `top <channel> <k>`: the k most used words of the channel as `word:count` "
        "separated by spaces, most used first, equally used words alphabetically, words "
        "lowercased; `none` when the channel has no words.\n"
        "- `top * <k>`: the same over every channel together.\n"
        "- any other line: the answer is `error`."
    )
    merge = "        total[word] = total.get(word, 0) + count\n"
    return Spec(
        entry,
        "module",
        None,
        doc,
        L4_BODY.replace("ENTRY", entry),
        [
            Edit(
                "channel-as-word",
                "the parser counts the channel name as a word of the message (wiring)",
                (("for w in parts[2:]]", "for w in parts[1:]]"),),
            ),
            Edit(
                "merge-overwrites",
                "across channels a later channel's count replaces an earlier one's",
                ((merge, "        total[word] = count\n"),),
            ),
            Edit(
                "case-sensitive",
                "words are counted as typed, not lowercased",
                (("[w.lower() for w in parts[2:]]", "parts[2:]"),),
            ),
            Edit(
                "ties-first-seen",
                "equally used words in the order first seen",
                ((TIES, "key=lambda item: -item[1]"),),
            ),
        ],
        readings=[
            Edit(
                "empty-post",
                "`post <channel>` with no message is accepted and counts nothing",
                (
                    (
                        'if len(parts) >= 3 and parts[0] == "post":',
                        'if len(parts) >= 2 and parts[0] == "post":',
                    ),
                ),
            ),
        ],
        sequences=[_session(rng, channels) for _ in range(26)],
        components=4,
    )


def make_words(level: int, rng: random.Random) -> Spec:
    """The top-words capability at ``level`` (1-4)."""
    return (_l1, _l2, _l3, _l4)[level - 1](rng)
