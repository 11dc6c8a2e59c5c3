"""The tiny model's tokenizer: byte-level BPE, learnt from the training corpus.

Bytes are the base alphabet (256 ids), so any text, hostile or not, encodes and decodes
without loss or error; merges learnt on the corpus then shorten common pieces of code and
specification (``    return``, ``string``) into single tokens, which makes the model's context
hold longer specifications and its decoding faster. Text is first split into chunks (a word
with its leading space, a number, punctuation, a run of spaces or newlines) and merges never
cross a chunk, as in GPT-2. One special token, ``<eos>``, ends an answer.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

CHUNK = re.compile(r" ?[A-Za-z_]+| ?[0-9]| ?[^\sA-Za-z0-9_]+|\n+| +(?=\S)| +|\s")
"""How text is cut before merging: merges stay inside one chunk."""


class Tokenizer:
    """Byte-level BPE with an ordered merge list; ids ``0..255`` are bytes, then one id per
    merge, then ``<eos>``."""

    def __init__(self, merges: list[tuple[int, int]]) -> None:
        self.merges = list(merges)
        self.ranks = {pair: rank for rank, pair in enumerate(self.merges)}
        self.pieces: list[bytes] = [bytes([i]) for i in range(256)]
        for left, right in self.merges:
            self.pieces.append(self.pieces[left] + self.pieces[right])
        self.eos = len(self.pieces)
        self._chunk = lru_cache(maxsize=65536)(self._encode_chunk)

    @property
    def vocab_size(self) -> int:
        """Bytes, merges and ``<eos>``."""
        return self.eos + 1

    def _encode_chunk(self, chunk: bytes) -> tuple[int, ...]:
        ids = list(chunk)
        while len(ids) > 1:
            ranked = [
                (self.ranks.get((a, b), len(self.ranks)), i)
                for i, (a, b) in enumerate(itertools.pairwise(ids))
            ]
            rank, at = min(ranked)
            if rank == len(self.ranks):
                break
            ids[at : at + 2] = [256 + rank]
        return tuple(ids)

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` (lone surrogates and other unencodable characters are kept
        through UTF-8's ``surrogatepass``, so no text raises)."""
        out: list[int] = []
        for chunk in CHUNK.findall(text):
            out.extend(self._chunk(chunk.encode("utf-8", "surrogatepass")))
        return out

    def decode_bytes(self, ids: Iterable[int]) -> bytes:
        """The bytes of ``ids`` (``<eos>`` and unknown ids contribute nothing)."""
        return b"".join(self.pieces[i] for i in ids if 0 <= i < self.eos)

    def decode(self, ids: Iterable[int]) -> str:
        """The text of ``ids``; an incomplete UTF-8 sequence at the end becomes U+FFFD."""
        return self.decode_bytes(ids).decode("utf-8", "replace")


def learn_merges(texts: Iterable[str], merges: int) -> list[tuple[int, int]]:
    """The ``merges`` most useful byte-pair merges on ``texts`` (most frequent pair first;
    ties broken by the pair's ids, so the result is the same on every machine)."""
    words: Counter[tuple[int, ...]] = Counter()
    for text in texts:
        for chunk in CHUNK.findall(text):
            words[tuple(chunk.encode("utf-8", "surrogatepass"))] += 1
    vocab = {word: count for word, count in words.items() if len(word) > 1}
    learnt: list[tuple[int, int]] = []
    for rank in range(merges):
        pairs: Counter[tuple[int, int]] = Counter()
        for word, count in vocab.items():
            for pair in itertools.pairwise(word):
                pairs[pair] += count
        if not pairs:
            break
        best = max(pairs.items(), key=lambda item: (item[1], -item[0][0], -item[0][1]))[0]
        learnt.append(best)
        new_id = 256 + rank
        merged: dict[tuple[int, ...], int] = {}
        for word, count in vocab.items():
            if len(word) < 2:
                continue
            out: list[int] = []
            i = 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(new_id)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            if len(out) > 1:
                merged[tuple(out)] = merged.get(tuple(out), 0) + count
        vocab = merged
    return learnt
