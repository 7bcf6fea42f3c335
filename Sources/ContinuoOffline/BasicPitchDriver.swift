/// The Python side of `continuo transcribe`: Basic Pitch on the ONNX model that ships inside
/// its package (never a download), one process for a batch so the model loads once. It speaks
/// JSON lines on stdout (`ready`, `progress` per analysis window, `done` or `failed` per file)
/// so the Swift side shows progress and names the file that went wrong.
enum BasicPitchDriver {
    static let script = #"""
import json, math, os, sys, warnings
warnings.filterwarnings("ignore")
import logging
logging.disable(logging.WARNING)
def say(**message):
    print(json.dumps(message), flush=True)
try:
    import basic_pitch
    from basic_pitch import FilenameSuffix, build_icassp_2022_model_path
    from basic_pitch.inference import Model, predict, AUDIO_N_SAMPLES, FFT_HOP
    from basic_pitch.constants import AUDIO_SAMPLE_RATE
    import librosa
except Exception as error:
    say(missing=f"{type(error).__name__}: {error}")
    sys.exit(3)
request = json.loads(sys.argv[1])
model_path = build_icassp_2022_model_path(FilenameSuffix.onnx)
try:
    model = Model(model_path)
except Exception as error:
    say(missing=f"cannot load {model_path}: {error}")
    sys.exit(3)
say(ready=str(model_path), version=getattr(basic_pitch, "__version__", "0.4.0"))
hop = AUDIO_N_SAMPLES - 30 * FFT_HOP
for job in request["files"]:
    source, target = job["audio"], job["midi"]
    try:
        seconds = librosa.get_duration(path=source)
    except Exception as error:
        detail = str(error).strip() or "not a format soundfile or audioread can decode"
        say(failed=source, reason=f"cannot read the audio ({type(error).__name__}: {detail})")
        continue
    windows = max(1, math.ceil(seconds * AUDIO_SAMPLE_RATE / hop))
    done = [0]
    plain = model.predict
    def counted(x, plain=plain):
        done[0] += 1
        say(progress=source, window=done[0], windows=windows)
        return plain(x)
    model.predict = counted
    try:
        _, midi, notes = predict(source, model, onset_threshold=request["onset_threshold"],
                                 frame_threshold=request["frame_threshold"],
                                 minimum_note_length=request["minimum_note_ms"], midi_tempo=request["tempo"])
    except Exception as error:
        say(failed=source, reason=f"Basic Pitch failed: {type(error).__name__}: {error}")
        continue
    finally:
        model.predict = plain
    if not notes:
        say(failed=source, reason=f"no notes heard in {seconds:.1f} s of audio (silent, or no pitched sound above the thresholds)")
        continue
    partial = target + ".partial"
    midi.write(partial)
    os.replace(partial, target)
    say(done=source, midi=target, notes=len(notes), seconds=round(seconds, 3))
"""#
}
