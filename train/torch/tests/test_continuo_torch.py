"""Fast checks (seconds, CPU): python3 -m unittest discover -s tests (from train/torch)."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from continuo_torch import safetensors_io, stream, vocabulary  # noqa: E402
from continuo_torch.model import ContinuoLSTM  # noqa: E402
from continuo_torch.parity import logits_and_loss  # noqa: E402
from continuo_torch.schedule import LearningRateSchedule  # noqa: E402
from continuo_torch.seeded_random import SeededRandom  # noqa: E402

torch.set_num_threads(1)


def tiny_model(seed=3, layers=2):
    return ContinuoLSTM(vocabulary.SIZE, 7, 9, layers).reset_like_continuo(torch.Generator().manual_seed(seed))


def numpy_reference(state, tokens):
    """PyTorch nn.LSTM's equations in float64 (as Tests/ContinuoModelTests/PyTorchReferenceTests.swift)."""
    T = {k: v.double().numpy() for k, v in state.items()}
    layers, H = sum(k.startswith("lstm.weight_ih") for k in T), T["lstm.weight_hh_l0"].shape[1]
    sig = lambda x: 1 / (1 + np.exp(-x))
    h = [np.zeros(H) for _ in range(layers)]
    c = [np.zeros(H) for _ in range(layers)]
    out = []
    for tok in tokens:
        x = T["embedding.weight"][tok]
        for n in range(layers):
            g = T[f"lstm.weight_ih_l{n}"] @ x + T[f"lstm.bias_ih_l{n}"] + T[f"lstm.weight_hh_l{n}"] @ h[n] + T[f"lstm.bias_hh_l{n}"]
            i, f, gg, o = sig(g[:H]), sig(g[H:2 * H]), np.tanh(g[2 * H:3 * H]), sig(g[3 * H:])
            c[n] = f * c[n] + i * gg
            h[n] = o * np.tanh(c[n])
            x = h[n]
        out.append(T["head.weight"] @ x + T["head.bias"])
    return np.array(out)


class FormatTests(unittest.TestCase):
    def test_round_trip_and_layout(self):
        model = tiny_model()
        data = safetensors_io.encode(model.state_dict(), {"note": "x", "continuo.layers": "99"})
        length = int.from_bytes(data[:8], "little")
        self.assertEqual((8 + length) % 8, 0)
        header = json.loads(data[8:8 + length])
        self.assertEqual(list(header)[0], "__metadata__")
        self.assertEqual(header["__metadata__"]["continuo.layers"], "2")   # from the tensors, not the caller
        self.assertEqual(list(header)[1:], safetensors_io.tensor_names(2))
        state, meta, shape = safetensors_io.decode(data)
        self.assertEqual(shape, {"vocabulary_size": 355, "embedding_size": 7, "hidden_size": 9, "layers": 2})
        for k, v in model.state_dict().items():
            self.assertTrue(torch.equal(state[k], v))

    def test_rejects_bad_files(self):
        data = bytearray(safetensors_io.encode(tiny_model().state_dict(), {}))
        with self.assertRaises(safetensors_io.ModelFileError):
            safetensors_io.decode(bytes(data[:-4]))
        with self.assertRaises(safetensors_io.ModelFileError):
            safetensors_io.decode(bytes(data), expected_vocabulary_size=13)

    def test_forget_gate_starts_open(self):
        m = tiny_model()
        self.assertTrue(torch.all(m.lstm.bias_ih_l0[9:18] == 1))
        self.assertTrue(torch.all(m.lstm.bias_hh_l1[9:18] == 0))


class ParityTests(unittest.TestCase):
    def test_logits_match_numpy_equations(self):
        model = tiny_model()
        with torch.no_grad():
            for p in model.parameters():
                p.mul_(2)
        tokens = [1, 12, 0, 5, 5, 7, 3, 11, 2, 9, 354, 200]
        logits, loss = logits_and_loss(model, tokens)
        reference = numpy_reference(model.state_dict(), tokens)
        self.assertLess(np.abs(logits.numpy() - reference).max(), 1e-4)
        z = reference[:-1]
        nll = np.mean([np.log(np.exp(r - r.max()).sum()) + r.max() - r[t] for r, t in zip(z, tokens[1:])])
        self.assertAlmostEqual(loss, nll, places=4)


class ScheduleAndRandomTests(unittest.TestCase):
    def test_schedule(self):
        s = LearningRateSchedule.for_run(2e-3, 200, 1000)
        self.assertEqual(s.warmup_steps, 100)
        self.assertAlmostEqual(s(0), 2e-5, places=9)
        self.assertAlmostEqual(s(99), 2e-3, places=9)
        self.assertAlmostEqual(s(1000), 2e-4, places=9)
        self.assertAlmostEqual(s(5000), 2e-4, places=9)

    def test_seeded_random_is_xoshiro256ss_with_splitmix(self):
        r = SeededRandom(0)
        # SplitMix64(0) first outputs (published test values of SplitMix64).
        self.assertEqual(r.state[0], 0xE220A8397B1DCDAF)
        again = SeededRandom(state=r.state)
        self.assertEqual([r.next() for _ in range(3)], [again.next() for _ in range(3)])

    def test_transposition_table(self):
        up = vocabulary.transposition_table(2)
        self.assertEqual(up[vocabulary.NOTE_ON_BASE + 60], vocabulary.NOTE_ON_BASE + 62)
        self.assertEqual(up[vocabulary.NOTE_OFF_BASE + 0], vocabulary.NOTE_OFF_BASE + 2)
        self.assertEqual(up[vocabulary.SHIFT_BASE], vocabulary.SHIFT_BASE)
        self.assertEqual(vocabulary.allowed_shifts([1, 3, vocabulary.NOTE_ON_BASE + 10, vocabulary.NOTE_OFF_BASE + 100]), (-10, 27))


class FakeCorpus:
    """Pieces of known tokens, standing in for a TokenCorpus."""

    class P:
        def __init__(self, offset, count):
            self.offset, self.count, self.split, self.notes = offset, count, "train", 0

    def __init__(self, lengths, seed=5):
        rng = np.random.default_rng(seed)
        self.tokens = rng.integers(vocabulary.NOTE_ON_BASE + 20, vocabulary.NOTE_ON_BASE + 100, sum(lengths))
        offsets = np.cumsum([0] + lengths[:-1])
        self.pieces = [self.P(int(o), n) for o, n in zip(offsets, lengths)]
        self.path = "fake"

    def split(self, name):
        return self.pieces

    def piece_tokens(self, piece, begin=0, end=None):
        end = piece.count if end is None else end
        return self.tokens[piece.offset + begin:piece.offset + end].astype(np.int64)


class StreamTests(unittest.TestCase):
    def test_rows_shard_the_same_stream(self):
        corpus = FakeCorpus([50, 7, 120, 33, 2, 64, 90])
        full = stream.TrainingStream(corpus, 4, 10, 5, seed=9)
        shards = [stream.TrainingStream(corpus, 4, 10, 5, seed=9, rows=stream.row_shard(4, r, 2)) for r in range(2)]
        for _ in range(40):
            x, y, reset = full.next_window()
            np.testing.assert_array_equal(x[:, 1:], y[:, :-1])
            for r, shard in enumerate(shards):
                xs, ys, rs = shard.next_window()
                np.testing.assert_array_equal(xs, x[r::2])
                np.testing.assert_array_equal(ys, y[r::2])
                np.testing.assert_array_equal(rs, reset[r::2])

    def test_first_window_resets_every_row_and_skipping_matches(self):
        corpus = FakeCorpus([40, 40, 40])
        a = stream.TrainingStream(corpus, 2, 8, 0, seed=1)
        b = stream.TrainingStream(corpus, 2, 8, 0, seed=1)
        self.assertTrue(a.next_window()[2].all())
        b.next_window(materialize=False)
        for _ in range(10):
            for u, v in zip(a.next_window(), b.next_window()):
                np.testing.assert_array_equal(u, v)


class CommandLineTests(unittest.TestCase):
    def test_convert_round_trip(self):
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "m.safetensors")
            safetensors_io.write(src, tiny_model().state_dict(), {"continuo.styles": "a=0"})
            env = dict(os.environ, PYTHONPATH=ROOT)
            run = lambda *a: subprocess.run([sys.executable, "-m", "continuo_torch.convert", *a], env=env, check=True,
                                            capture_output=True)
            run(src, "-o", os.path.join(d, "m.pt"))
            run(os.path.join(d, "m.pt"), "--to-continuo", "-o", os.path.join(d, "back.safetensors"))
            a, ma, _ = safetensors_io.read(src)
            b, mb, _ = safetensors_io.read(os.path.join(d, "back.safetensors"))
            self.assertEqual(mb["continuo.styles"], "a=0")
            for k in a:
                self.assertTrue(torch.equal(a[k], b[k]))


if __name__ == "__main__":
    unittest.main()
