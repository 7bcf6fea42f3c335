"""Training windows exactly as `continuo train` makes them (Sources/ContinuoOffline/TrainingStream.swift),
with each rank reading only its own rows.

B rows, each a stream of whole train pieces one after another in a seeded shuffled order; a
window is the next L tokens of every row (inputs) and the L tokens after them (targets); a row
whose window starts on a fresh piece is reset. Pieces are transposed by a random shift within
+-transpose that keeps them on the keyboard. The whole schedule (which piece goes to which row,
every random draw) is simulated from piece lengths alone on every rank, so it does not depend on
the number of processes; only the tokens of a rank's own rows are read from the memory map.
"""

from collections import deque

import numpy as np

from . import vocabulary
from .seeded_random import MASK, SeededRandom


def epoch_seed(seed, epoch):
    """`continuo train`'s per-epoch stream seed: seed &+ epoch &* 7919."""
    return (int(seed) + int(epoch) * 7919) & MASK


def windows_per_epoch(corpus, batch, seq_len):
    tokens = sum(p.count for p in corpus.split("train"))
    return max(1, tokens // max(1, batch * seq_len))


def row_shard(batch, rank, world):
    """Global rows owned by `rank`: rank, rank + world, ... (batch must divide evenly)."""
    return list(range(rank, batch, world))


class TrainingStream:
    def __init__(self, corpus, batch, seq_len, transpose, seed, rows=None):
        self.corpus = corpus
        self.pieces = corpus.split("train")
        if not self.pieces:
            raise ValueError(f"{corpus.path}: no train pieces")
        if any(p.count <= 0 for p in self.pieces):
            self.pieces = [p for p in self.pieces if p.count > 0]
        self.batch, self.seq_len, self.transpose = batch, seq_len, int(transpose)
        self.own = list(range(batch)) if rows is None else sorted(rows)
        self.random = SeededRandom(seed)
        self.order = list(range(len(self.pieces)))
        self._shuffle()
        self.next_piece = 0
        # Per row: deque of [piece index, random word or None, begin, end] segments still to use.
        self.rows = [deque() for _ in range(batch)]
        self.lengths = [0] * batch
        self.starts = [True] * batch
        self._shifts = {}

    def _shuffle(self):
        order = self.order
        for i in range(len(order) - 1, 0, -1):
            j = self.random.next() % (i + 1)
            order[i], order[j] = order[j], order[i]

    def _take_piece(self):
        if self.next_piece >= len(self.order):
            self._shuffle()               # wrap: the order again, reshuffled (startEpochOrder)
            self.next_piece = 0
        index = self.order[self.next_piece]
        self.next_piece += 1
        # One draw per piece taken: the allowed range always contains 0, and so does +-transpose.
        word = self.random.next() if self.transpose != 0 else None
        return [index, word, 0, self.pieces[index].count]

    def _shift(self, index, word):
        if word is None:
            return 0
        allowed = self._shifts.get(index)
        if allowed is None:
            allowed = vocabulary.allowed_shifts(self.corpus.piece_tokens(self.pieces[index]))
            self._shifts[index] = allowed
        low, high = max(allowed[0], -self.transpose), min(allowed[1], self.transpose)
        return low + word % (high - low + 1) if low <= high else 0

    def _read(self, row, count):
        out = np.empty(count, dtype=np.int64)
        filled = 0
        for index, word, begin, end in self.rows[row]:
            n = min(end - begin, count - filled)
            chunk = self.corpus.piece_tokens(self.pieces[index], begin, begin + n)
            shift = self._shift(index, word)
            out[filled:filled + n] = vocabulary.transposition_table(shift)[chunk] if shift else chunk
            filled += n
            if filled == count:
                break
        return out

    def _consume(self, row, count):
        segments = self.rows[row]
        while count > 0:
            segment = segments[0]
            n = min(segment[3] - segment[2], count)
            segment[2] += n
            count -= n
            if segment[2] == segment[3]:
                segments.popleft()
        self.lengths[row] -= self.seq_len

    def next_window(self, materialize=True):
        """(inputs [rows, L], targets [rows, L], resets [rows]) for this rank's rows (numpy int64 /
        bool), or None with materialize=False (skipping windows when resuming)."""
        L = self.seq_len
        own = set(self.own)
        inputs = np.empty((len(self.own), L), dtype=np.int64) if materialize else None
        targets = np.empty((len(self.own), L), dtype=np.int64) if materialize else None
        resets = np.zeros(len(self.own), dtype=bool)
        slot = 0
        for b in range(self.batch):
            while self.lengths[b] < L + 1:
                segment = self._take_piece()
                if self.lengths[b] <= 1:
                    self.starts[b] = True
                self.rows[b].append(segment)
                self.lengths[b] += segment[3] - segment[2]
            start = self.starts[b]
            self.starts[b] = False
            if b in own:
                resets[slot] = start
                if materialize:
                    tokens = self._read(b, L + 1)
                    inputs[slot], targets[slot] = tokens[:L], tokens[1:]
                slot += 1
            self._consume(b, L)
        return (inputs, targets, resets) if materialize else None
