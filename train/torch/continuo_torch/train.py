"""Train Continuo's LSTM in PyTorch, as `continuo train` does, and write Continuo's model file.

    python3 -m continuo_torch.train --data X.ctok --out model.safetensors [options]
    torchrun --standalone --nproc-per-node=N -m continuo_torch.train --data X.ctok ...

Progress goes to standard error; standard output gets one JSON line at the end.
"""

import argparse
import json
import math
import os
import shlex
import signal
import sys
import time

import torch
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

from . import __version__, checkpoint, evaluation, precision, safetensors_io, stream, vocabulary
from .distributed import Context
from .model import ContinuoLSTM, decayed
from .schedule import LearningRateSchedule
from .tokens import TokenCorpus, TokenFileError

CSV_HEADER = ("step,epoch,train_loss,learning_rate,gradient_norm,tokens_per_second,"
              "validation_nats_per_event,validation_bits_per_note,elapsed_seconds")
# Options that fix the numerics of a run: on --resume they come from the checkpoint.
RUN_OPTIONS = ("layers", "hidden", "embed", "seq_len", "batch", "lr", "warmup", "weight_decay", "clip",
               "dropout", "transpose", "seed", "patience", "init")


def parse(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m continuo_torch.train", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="token file from `continuo prepare` (X.ctok, with X.ctok.json)")
    p.add_argument("--out", default="model.safetensors", help="model file to write (Continuo safetensors)")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--embed", type=int, default=256)
    p.add_argument("--seq-len", type=int, default=128, help="window length for truncated BPTT")
    p.add_argument("--batch", type=int, default=64, help="rows per mini-batch, over all processes")
    p.add_argument("--epochs", type=int, default=None, help="epochs at most (default 10; with --steps alone, as many as the steps need)")
    p.add_argument("--steps", type=int, default=None,
                   help="optimiser steps of the run: alone, the schedule spans them; with --epochs, a cap")
    p.add_argument("--max-steps", type=int, default=None,
                   help="stop (checkpoint, write the model) after this many steps without changing the schedule")
    p.add_argument("--lr", type=float, default=None, help="peak learning rate (default 2e-3, 5e-4 with --init)")
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--weight-decay", type=float, default=0.01, help="AdamW decay on the weight matrices")
    p.add_argument("--clip", type=float, default=1.0, help="global gradient-norm clip (0: off)")
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--transpose", type=int, default=5, help="random transposition by up to this many semitones (0: off)")
    p.add_argument("--seed", type=int, default=1, help="initial weights, data order, transposition, dropout")
    p.add_argument("--patience", type=int, default=3, help="early stop after this many epochs without a better validation loss")
    p.add_argument("--threads", type=int, default=None, help="torch threads per process (default: cores / local processes)")
    p.add_argument("--checkpoint", default=None, metavar="DIR", help="write DIR/checkpoint.pt every epoch and when stopping")
    p.add_argument("--checkpoint-every", type=int, default=0, metavar="N", help="also every N steps")
    p.add_argument("--resume", action="store_true", help="continue from DIR/checkpoint.pt exactly (the run's shape, plan and optimiser options come from it; --max-steps may be given anew)")
    p.add_argument("--init", default=None, metavar="MODEL", help="start from this Continuo model file (fine-tuning; shape options ignored)")
    p.add_argument("--bf16", choices=("auto", "on", "off"), default="auto",
                   help="bf16 autocast: auto = on GPUs with bf16 and CPUs with AVX512_BF16/AMX")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    p.add_argument("--validate-every", type=int, default=0, metavar="N", help="also validate every N steps (0: each epoch only)")
    p.add_argument("--log-every", type=int, default=20, metavar="N", help="progress line every N steps")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    args = p.parse_args(argv)
    if args.seq_len < 1 or args.batch < 1 or (args.epochs is not None and args.epochs < 1):
        p.error("--seq-len, --batch and --epochs must be at least 1")
    if args.steps is not None and args.steps < 0:
        p.error("--steps must be at least 0")
    if not 0 <= args.dropout < 1 or (args.lr is not None and args.lr <= 0):
        p.error("--lr must be positive and --dropout in [0, 1)")
    if args.transpose < 0:
        p.error("--transpose must be at least 0")
    if args.resume and not args.checkpoint:
        p.error("--resume needs --checkpoint DIR")
    return args


class Trainer:
    def __init__(self, args, context):
        self.args, self.ctx = args, context
        self.started = time.time()
        self.stop_requested = False
        self.log_file = None

    def log(self, line):
        if self.ctx.main and not self.args.quiet:
            print(line, file=sys.stderr, flush=True)

    def note(self, line):
        if self.ctx.main:
            print(line, file=sys.stderr, flush=True)

    # MARK: setup

    def setup(self):
        a, ctx = self.args, self.ctx
        self.device = precision.choose_device(a.device, ctx.local_rank)
        ctx.start(self.device)
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:
            cores = os.cpu_count() or 1
        self.threads = a.threads or max(1, cores // max(1, ctx.local_world))
        torch.set_num_threads(self.threads)
        try:
            self.corpus = TokenCorpus(a.data)
        except TokenFileError as error:
            raise SystemExit(f"error: {error}")
        resumed = None
        if a.resume:
            if ctx.main and not os.path.exists(checkpoint.path_in(a.checkpoint)):
                self.note(f"no checkpoint in {a.checkpoint}; starting afresh")
            payload = checkpoint.load(a.checkpoint) if ctx.main and os.path.exists(checkpoint.path_in(a.checkpoint)) else None
            resumed = ctx.broadcast_object(payload)
        if resumed is not None:
            for key in RUN_OPTIONS:
                setattr(a, key, resumed["options"][key])
        if a.batch % ctx.world != 0:
            raise SystemExit(f"error: --batch {a.batch} must be a multiple of the {ctx.world} processes")
        self.rows = stream.row_shard(a.batch, ctx.rank, ctx.world)
        self.windows = stream.windows_per_epoch(self.corpus, a.batch, a.seq_len)

        # The plan: the schedule spans the planned run, not --max-steps (as `continuo train`).
        if resumed is not None:
            plan = resumed["plan"]
        elif a.steps is not None and a.epochs is None:
            plan = {"epochs": max(1, math.ceil(a.steps / self.windows)), "steps": a.steps, "total": max(1, a.steps)}
        else:
            epochs = a.epochs or 10
            plan = {"epochs": epochs, "steps": a.steps, "total": epochs * self.windows}
        self.plan = plan
        if a.lr is None:
            a.lr = 5e-4 if a.init else 2e-3
        self.schedule = (LearningRateSchedule.from_state_dict(resumed["schedule"]) if resumed is not None
                         else LearningRateSchedule.for_run(a.lr, a.warmup, plan["total"]))

        # Model: from --init, else Continuo's initialisation from the seed (same on every rank).
        self.base_metadata = {}
        if a.init:
            model, meta = safetensors_io.load_model(a.init, dropout=a.dropout)
            self.base_metadata = {k: v for k, v in meta.items()
                                  if not k.startswith(("job.", "continuo.validation_"))}
        else:
            generator = torch.Generator().manual_seed(a.seed)
            model = ContinuoLSTM(vocabulary.SIZE, a.embed, a.hidden, a.layers, a.dropout).reset_like_continuo(generator)
        if resumed is not None:
            model.load_state_dict(resumed["model"])
            self.base_metadata = resumed.get("base_metadata", {})
        self.model = model.to(self.device)
        self.net = (DistributedDataParallel(self.model, device_ids=[self.device.index] if self.device.type == "cuda" else None)
                    if ctx.distributed else self.model)
        groups = [{"params": [p for n, p in self.model.named_parameters() if decayed(n)], "weight_decay": a.weight_decay},
                  {"params": [p for n, p in self.model.named_parameters() if not decayed(n)], "weight_decay": 0.0}]
        self.optimizer = torch.optim.AdamW(groups, lr=a.lr, betas=(0.9, 0.999), eps=1e-8)

        if resumed is not None:
            self.bf16 = resumed["bf16"]
            self.bf16_why = "the checkpoint's"
            if a.bf16 != "auto" and (a.bf16 == "on") != self.bf16:
                raise SystemExit(f"error: the checkpoint was trained with bf16 {'on' if self.bf16 else 'off'}; resume it that way")
        else:
            self.bf16, self.bf16_why = precision.choose_bf16(a.bf16, self.device)

        # Counters and carried state.
        self.step, self.epoch, self.window = 0, 0, 0
        self.best, self.bad_epochs = math.inf, 0
        self.epoch_loss = [0.0, 0]
        self.state = self.model.zero_state(len(self.rows), self.device)
        torch.manual_seed((a.seed + 7919 * (ctx.rank + 1)) & (2 ** 63 - 1))   # dropout, per rank
        if resumed is not None:
            self.optimizer.load_state_dict(resumed["optimizer"])
            self.step, self.epoch, self.window = resumed["step"], resumed["epoch"], resumed["window"]
            self.best, self.bad_epochs = resumed["best"], resumed["bad_epochs"]
            self.epoch_loss = list(resumed["epoch_loss"])
            h, c = resumed["state"]
            self.state = (h[:, self.rows].contiguous().to(self.device), c[:, self.rows].contiguous().to(self.device))
            rngs = resumed["rng"]
            if len(rngs) == ctx.world:
                checkpoint.set_rng_state(rngs[ctx.rank], self.device)
            else:
                self.note(f"note: the checkpoint had {len(rngs)} processes, this run {ctx.world}: "
                          "same data and state, but dropout draws differ from an uninterrupted run")
        self.resumed = resumed is not None

        self.model.lstm.flatten_parameters() if self.device.type == "cuda" else None
        self.kernels = precision.kernels_description(self.device)
        params = sum(p.numel() for p in self.model.parameters())
        s = self.model.shape
        self.log(f"continuo_torch {__version__}, PyTorch {torch.__version__}: {ctx.describe()}, device {self.device}, "
                 f"{self.threads} threads per process")
        self.log(f"model: vocabulary {s['vocabulary_size']}, embedding {s['embedding_size']}, "
                 f"{s['layers']} x {s['hidden_size']} hidden, {params} parameters" + (f" (from {a.init})" if a.init else ""))
        self.log(f"precision: {'bf16 autocast' if self.bf16 else 'fp32'} ({self.bf16_why}); kernels: {self.kernels}")
        self.log(f"data: {self.corpus.data_summary}; {self.windows} windows of {a.batch} x {a.seq_len} per epoch, "
                 f"{len(self.rows)} rows per process; schedule {self.schedule.state_dict()}")
        if self.resumed:
            self.log(f"resuming from {checkpoint.path_in(a.checkpoint)}: epoch {self.epoch + 1}, window {self.window}, step {self.step}")
        if ctx.main:
            out_dir = os.path.dirname(os.path.abspath(a.out))
            os.makedirs(out_dir, exist_ok=True)
            log_path = a.out + ".csv"
            if not self.resumed and os.path.exists(log_path):
                os.remove(log_path)
            new = not os.path.exists(log_path)
            self.log_file = open(log_path, "a")
            if new:
                self.log_file.write(CSV_HEADER + "\n")

    # MARK: pieces of the loop

    def csv(self, fields):
        if self.log_file:
            self.log_file.write(",".join("" if f is None else str(f) for f in fields) + "\n")
            self.log_file.flush()

    def train_step(self, window):
        inputs, targets, resets = window
        x = torch.from_numpy(inputs).to(self.device, non_blocking=True)
        y = torch.from_numpy(targets).to(self.device, non_blocking=True)
        keep = torch.from_numpy(~resets).to(self.device).to(torch.float32).view(1, -1, 1)
        state = (self.state[0] * keep, self.state[1] * keep)
        with precision.autocast(self.device, self.bf16):
            logits, (h, c) = self.net(x, state)
        loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), y.reshape(-1))
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.state = (h.detach().float(), c.detach().float())
        grads = [p.grad for p in self.model.parameters() if p.grad is not None]
        norm = float(torch.sqrt(sum(g.double().pow(2).sum() for g in grads)))
        lr = None
        if math.isfinite(norm):   # a non-finite norm skips the update, as `continuo train`
            if self.args.clip > 0 and norm > self.args.clip:
                scale = self.args.clip / norm
                for g in grads:
                    g.mul_(scale)
            lr = self.schedule(self.step)
            for group in self.optimizer.param_groups:
                group["lr"] = lr
            self.optimizer.step()
            self.step += 1
        return loss.detach(), norm, lr

    def metadata(self):
        meta = dict(self.base_metadata)
        argv = sys.argv[1:]
        meta.update({
            "continuo.vocabulary_version": str(vocabulary.VERSION),
            "continuo.data": self.corpus.data_summary,
            "continuo.command": " ".join(["python3", "-m", "continuo_torch.train"] + [shlex.quote(x) for x in argv]),
            "continuo.precision": "bf16" if self.bf16 else "fp32",
            "continuo.kernels": self.kernels,
            "continuo.trainer": f"continuo_torch {__version__} (PyTorch {torch.__version__}), {self.ctx.describe()}, "
                                f"{self.device.type}, not `continuo train`",
            "continuo.styles": self.corpus.styles_metadata,
            "continuo.train_steps": str(self.step),
            "job.epoch": str(self.epoch), "job.window": str(self.window),
            "job.best_validation": str(self.best), "job.bad_epochs": str(self.bad_epochs),
        })
        return meta

    def validate_bytes(self, data):
        """`continuo eval`-way validation of a model file's bytes (all ranks, sharded)."""
        written, _ = safetensors_io.load_model(data)
        return evaluation.validation(written.to(self.device), self.corpus, self.ctx, self.device)

    def validate_file(self):
        """Validation of the model file on disk (rank 0 reads it; the bytes go to every rank)."""
        data = None
        if self.ctx.main:
            with open(self.args.out, "rb") as f:
                data = f.read()
        self.file_validation = self.validate_bytes(self.ctx.broadcast_object(data))
        return self.file_validation

    def write_model(self):
        """Serialises the float32 weights, validates exactly those bytes the `continuo eval` way
        (all ranks, sharded), and rank 0 writes them with the result in the metadata."""
        weights = {k: v.detach().to("cpu", torch.float32) for k, v in self.model.state_dict().items()}
        meta = self.metadata()
        data = safetensors_io.encode(weights, meta)
        result = self.validate_bytes(data)
        if result["nats_per_event"] is not None:
            meta["continuo.validation_nats_per_event"] = repr(result["nats_per_event"])
            meta["continuo.validation_bits_per_note"] = repr(result["bits_per_note"])
            data = safetensors_io.encode(weights, meta)
        if self.ctx.main:
            temporary = self.args.out + ".tmp"
            with open(temporary, "wb") as f:
                f.write(data)
            os.replace(temporary, self.args.out)
        self.file_validation = result
        return result

    def save_checkpoint(self):
        if not self.args.checkpoint:
            return
        h, c = checkpoint.gather_state(self.ctx, self.state, self.args.batch)
        rngs = self.ctx.gather_objects(checkpoint.rng_state(self.device))
        if self.ctx.main:
            a = self.args
            payload = {
                "model": {k: v.detach().cpu() for k, v in self.model.state_dict().items()},
                "optimizer": self.optimizer.state_dict(),
                "schedule": self.schedule.state_dict(), "plan": self.plan,
                "options": {k: getattr(a, k) for k in RUN_OPTIONS},
                "step": self.step, "epoch": self.epoch, "window": self.window,
                "best": self.best, "bad_epochs": self.bad_epochs,
                "epoch_loss": self.epoch_loss, "state": (h, c), "rng": rngs, "bf16": self.bf16,
                "world": self.ctx.world, "base_metadata": self.base_metadata, "metadata": self.metadata(),
                # The carried state is saved per global row and restored to the same rows, so the
                # stream continues; rows start afresh only where the data says (a new piece).
                "carried_state_policy": "saved per global row; restored; reset only at piece starts",
            }
            checkpoint.save(a.checkpoint, payload)

    # MARK: the loop

    def run(self):
        a, ctx = self.args, self.ctx
        stop_at = min(x for x in (self.plan["steps"], a.max_steps, math.inf) if x is not None)
        first_loss = last_loss = None
        trained_tokens, train_seconds = 0, 0.0
        reason = "epochs"
        self.file_validation = None
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: setattr(self, "stop_requested", True))

        def finish_stop(why, keep_best=False):
            # A planned stop writes what it trained; a signal keeps the best validated model if any.
            self.save_checkpoint()
            where = f"; checkpoint in {a.checkpoint} (continue with --resume)" if a.checkpoint else ""
            if keep_best and self.best < math.inf and os.path.exists(a.out):
                self.note(f"{why} at step {self.step}: kept the best model in {a.out}{where}")
                return
            self.write_model()
            self.note(f"{why} at step {self.step}: wrote {a.out}{where}")

        done = False
        if self.step >= stop_at:
            finish_stop("nothing to train")
            reason, done = "steps", True
        epoch_tokens, epoch_seconds = 0, 0.0
        while not done and self.epoch < self.plan["epochs"]:
            data = stream.TrainingStream(self.corpus, a.batch, a.seq_len, a.transpose,
                                         stream.epoch_seed(a.seed, self.epoch), rows=self.rows)
            for _ in range(self.window):
                data.next_window(materialize=False)
            if self.window == 0:
                epoch_tokens, epoch_seconds = 0, 0.0
            while self.window < self.windows:
                began = time.perf_counter()
                loss, norm, lr = self.train_step(data.next_window())
                loss_mean, stop_votes = ctx.sum([float(loss), 1.0 if self.stop_requested else 0.0])
                loss_mean /= ctx.world
                seconds = time.perf_counter() - began
                self.window += 1
                trained_tokens += a.batch * a.seq_len
                epoch_tokens += a.batch * a.seq_len
                train_seconds += seconds
                epoch_seconds += seconds
                self.epoch_loss[0] += loss_mean
                self.epoch_loss[1] += 1
                first_loss = loss_mean if first_loss is None else first_loss
                last_loss = loss_mean
                rate = trained_tokens / max(train_seconds, 1e-9)
                if self.step % a.log_every == 0 and lr is not None:
                    self.log(f"step {self.step} epoch {self.epoch + 1}/{self.plan['epochs']} window {self.window}/{self.windows}: "
                             f"loss {loss_mean:.4f} lr {lr:.3g} |g| {norm:.3f} {rate:.0f} tokens/s")
                if self.step % 20 == 0 and lr is not None:
                    self.csv([self.step, self.epoch + 1, loss_mean, lr, norm, int(rate), None, None,
                              round(time.time() - self.started, 3)])
                if stop_votes > 0 or self.step >= stop_at:
                    finish_stop("stopped by a signal" if stop_votes > 0 else "reached the step limit", keep_best=stop_votes > 0)
                    reason, done = ("signal" if stop_votes > 0 else "steps"), True
                    break
                if a.validate_every and self.step % a.validate_every == 0:
                    v = evaluation.validation(self.model, self.corpus, ctx, self.device)
                    if v["nats_per_event"] is not None:
                        self.log(f"step {self.step}: validation {v['nats_per_event']:.4f} nats/event, "
                                 f"{v['bits_per_note']:.3f} bits/note")
                        self.csv([self.step, self.epoch + 1, loss_mean, lr, norm, int(rate), v["nats_per_event"],
                                  v["bits_per_note"], round(time.time() - self.started, 3)])
                if a.checkpoint_every and self.step % a.checkpoint_every == 0:
                    self.save_checkpoint()
            if done:
                break
            # End of an epoch: validate, keep the best, early stopping, checkpoint.
            train_loss = self.epoch_loss[0] / max(1, self.epoch_loss[1])
            self.epoch += 1
            self.window = 0
            self.epoch_loss = [0.0, 0]
            v = evaluation.validation(self.model, self.corpus, ctx, self.device)
            rate = epoch_tokens / max(epoch_seconds, 1e-9)
            nats = v["nats_per_event"]
            self.log(f"epoch {self.epoch}: train {train_loss:.4f} nats/event, validation "
                     + (f"{nats:.4f} nats/event, {v['bits_per_note']:.3f} bits/note" if nats is not None else "none")
                     + f", {rate:.0f} tokens/s")
            self.csv([self.step, self.epoch, train_loss, self.schedule(max(0, self.step - 1)), None, int(rate), nats,
                      v["bits_per_note"], round(time.time() - self.started, 3)])
            if nats is None or nats < self.best:
                if nats is not None:
                    self.best, self.bad_epochs = nats, 0
                self.write_model()
                self.log(f"  best so far: wrote {a.out}")
            else:
                self.bad_epochs += 1
            self.save_checkpoint()
            if self.bad_epochs >= a.patience:
                self.log(f"early stop: validation has not improved for {self.bad_epochs} epochs")
                reason = "early-stop"
                break
            if self.stop_requested:
                reason = "signal"
                break
        if self.file_validation is None:
            # This run wrote nothing (a resumed run whose remaining epochs did not improve, a signal
            # that kept the best): validate the file on disk, or write one if there is none.
            exists = self.ctx.broadcast_object(os.path.exists(a.out) if self.ctx.main else None)
            self.validate_file() if exists else self.write_model()
        validation = self.file_validation
        return {
            "steps": self.step,
            "epochs": round(self.epoch + self.window / self.windows, 4),
            "stopped": reason,
            "train_loss_first": first_loss,
            "train_loss_last": last_loss,
            "validation_loss": validation["nats_per_event"],
            "validation_bits_per_note": validation["bits_per_note"],
            "validation_events": validation["events"],
            "tokens_per_second": round(trained_tokens / train_seconds, 1) if train_seconds > 0 else None,
            "processes": ctx.world,
            "device": str(self.device),
            "bf16": self.bf16,
            "threads": self.threads,
            "out": os.path.abspath(a.out),
            "checkpoint": os.path.abspath(checkpoint.path_in(a.checkpoint)) if a.checkpoint else None,
        }


def main(argv=None):
    args = parse(argv)
    context = Context()
    trainer = Trainer(args, context)
    try:
        trainer.setup()
        result = trainer.run()
        if context.main:
            print(json.dumps(result), flush=True)
        # No rank tears the process group down while another still writes or reduces.
        context.barrier()
    finally:
        if trainer.log_file:
            trainer.log_file.close()
        context.stop()


if __name__ == "__main__":
    main()
