"""Generated sound for the audio tests: a speech-like signal, silence, a clipped voice, and an
input device double that feeds them to a Recorder the way PortAudio feeds the microphone's."""

from __future__ import annotations

import io
import math
import random
import wave
from array import array


def speech(seconds: float, rate: int = 48_000, loudness: float = 0.4, seed: int = 1) -> array:
    """Syllable-like bursts (3 a second) of a voiced sound with formants, and a little noise."""
    rnd = random.Random(seed)
    out = array("h")
    for i in range(int(seconds * rate)):
        t = i / rate
        envelope = max(0.0, math.sin(2 * math.pi * 1.5 * t)) ** 0.5
        voice = (0.6 * math.sin(2 * math.pi * 140 * t) + 0.3 * math.sin(2 * math.pi * 700 * t)
                 + 0.1 * math.sin(2 * math.pi * 2400 * t))
        value = loudness * envelope * voice + rnd.uniform(-0.01, 0.01)
        out.append(max(-32768, min(32767, int(value * 32767))))
    return out


def silence(seconds: float, rate: int = 48_000) -> array:
    rnd = random.Random(2)
    return array("h", (rnd.randint(-3, 3) for _ in range(int(seconds * rate))))


def clipped(seconds: float, rate: int = 48_000) -> array:
    return array("h", (max(-32768, min(32767, s * 6)) for s in speech(seconds, rate, 0.5)))


def wav_bytes(pcm: array, rate: int, channels: int = 1) -> bytes:
    if channels > 1:
        pcm = array("h", (s for s in pcm for _ in range(channels)))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return out.getvalue()


class GeneratedInput:
    """An InputDevice double: on start, calls the recorder back with 50 ms blocks of ``pcm``
    (raw 16-bit bytes, as PortAudio's raw stream gives them), on this thread."""

    def __init__(self, pcm: array, rate: int = 48_000):
        self.pcm = pcm
        self.rate = rate
        self.started = self.stopped = 0
        self.levels: list[float] = []

    def start(self, on_block) -> None:
        self.started += 1
        step = self.rate // 20
        for start in range(0, len(self.pcm), step):
            on_block(self.pcm[start:start + step].tobytes())
            self.levels.append(getattr(on_block, "__self__").level)

    def stop(self) -> None:
        self.stopped += 1
