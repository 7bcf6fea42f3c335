"""Continuo's seeded generator, xoshiro256** seeded through SplitMix64
(Sources/ContinuoRandom/SeededRandom.swift), so data order and transpositions match `continuo train`."""

MASK = (1 << 64) - 1


def _rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class SeededRandom:
    def __init__(self, seed=None, state=None):
        if state is not None:
            if len(state) != 4 or not any(state):
                raise ValueError("SeededRandom state must be 4 words, not all zero")
            self.s = [int(w) & MASK for w in state]
            return
        x = int(seed) & MASK
        words = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            words.append(z ^ (z >> 31))
        self.s = words

    def next(self):
        s0, s1, s2, s3 = self.s
        result = (_rotl((s1 * 5) & MASK, 7) * 9) & MASK
        t = (s1 << 17) & MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    @property
    def state(self):
        return list(self.s)
