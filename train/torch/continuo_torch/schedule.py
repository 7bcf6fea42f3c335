"""`continuo train`'s learning rate (Sources/ContinuoModel/LearningRateSchedule.swift): linear
warmup to the peak, then cosine decay to peak x 0.1 at the planned total steps, constant after.
A pure function of the step (computed in float32 like Swift), so a resumed run agrees."""

import math

import numpy as np


class LearningRateSchedule:
    def __init__(self, peak, warmup_steps, total_steps, minimum_fraction=0.1, decay="cosine"):
        self.peak, self.warmup_steps, self.total_steps = float(peak), int(warmup_steps), int(total_steps)
        self.minimum_fraction, self.decay = float(minimum_fraction), decay

    @classmethod
    def for_run(cls, peak, warmup, total_steps):
        """As TrainJob builds it: warmup = min(--warmup, max(1, total / 10))."""
        return cls(peak, min(int(warmup), max(1, int(total_steps) // 10)), total_steps)

    def state_dict(self):
        return {"peak": self.peak, "warmup_steps": self.warmup_steps, "total_steps": self.total_steps,
                "minimum_fraction": self.minimum_fraction, "decay": self.decay}

    @classmethod
    def from_state_dict(cls, state):
        return cls(**state)

    def __call__(self, step):
        f32 = np.float32
        peak = f32(self.peak)
        if step < self.warmup_steps:
            return float(peak * f32(step + 1) / f32(self.warmup_steps))
        span = max(1, self.total_steps - self.warmup_steps)
        progress = min(1.0, (step - self.warmup_steps) / span)
        floor, top = float(peak * f32(self.minimum_fraction)), float(peak)
        if self.decay == "constant":
            return float(peak)
        if self.decay == "linear":
            return float(f32(top - (top - floor) * progress))
        return float(f32(floor + (top - floor) * 0.5 * (1 + math.cos(math.pi * progress))))
