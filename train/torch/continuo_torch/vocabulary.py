"""Continuo's event vocabulary, version 1 (Sources/ContinuoEncoding/Vocabulary.swift)."""

import numpy as np

VERSION = 1
STEPS_PER_BEAT = 12
MAX_SHIFT_STEPS = 48
VELOCITY_BINS = 32
STYLE_SLOTS = 16

PAD, START, END = 0, 1, 2
STYLE_BASE = 3
NOTE_ON_BASE = STYLE_BASE + STYLE_SLOTS          # 19
NOTE_OFF_BASE = NOTE_ON_BASE + 128               # 147
SHIFT_BASE = NOTE_OFF_BASE + 128                 # 275
VELOCITY_BASE = SHIFT_BASE + MAX_SHIFT_STEPS     # 323
SIZE = VELOCITY_BASE + VELOCITY_BINS             # 355

# What a token file's index must say (TokenIndex.VocabularyInfo.current).
INFO = {"version": VERSION, "size": SIZE, "stepsPerBeat": STEPS_PER_BEAT,
        "maxShiftSteps": MAX_SHIFT_STEPS, "velocityBins": VELOCITY_BINS, "styleSlots": STYLE_SLOTS}


def is_note_on(tokens):
    """Boolean mask (or bool) of note-on tokens; bits per note count these targets."""
    return (tokens >= NOTE_ON_BASE) & (tokens < NOTE_OFF_BASE)


def allowed_shifts(tokens):
    """Semitone shifts keeping every note of `tokens` in 0...127 (Transposition.allowedShifts)."""
    t = np.asarray(tokens, dtype=np.int64)
    notes = (t >= NOTE_ON_BASE) & (t < SHIFT_BASE)
    if not notes.any():
        return -127, 127
    pitches = np.where(t[notes] < NOTE_OFF_BASE, t[notes] - NOTE_ON_BASE, t[notes] - NOTE_OFF_BASE)
    return -int(pitches.min()), 127 - int(pitches.max())


_TABLES = {}


def transposition_table(semitones):
    """Token -> token lookup moving note-on/off pitches by `semitones` (Transposition.transposeInPlace,
    for a shift already known to be allowed)."""
    table = _TABLES.get(semitones)
    if table is None:
        table = np.arange(SIZE, dtype=np.int64)
        for base in (NOTE_ON_BASE, NOTE_OFF_BASE):
            pitch = np.arange(128)
            moved = pitch + semitones
            ok = (moved >= 0) & (moved <= 127)
            table[base + pitch[ok]] = base + moved[ok]
        _TABLES[semitones] = table
    return table
