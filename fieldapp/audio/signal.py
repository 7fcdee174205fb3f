"""What a recording holds, checked in plain Python on 16-bit mono samples.

A prompt is refused when it is silent (its loudest 50 ms stay below :data:`SILENCE_DBFS`),
clipped (more than :data:`CLIPPED_SHARE` of its samples at full scale: the speaker was too close
or the input too loud), too short (under :data:`MIN_SECONDS`) or too long (over
:data:`MAX_SECONDS`). Each refusal is one sentence for the translator.
"""

from __future__ import annotations

import math
import sys
from array import array
from dataclasses import dataclass

from fieldapp.i18n.catalog import _

RATE = 16_000
"""Samples per second of a stored prompt (Opus wideband: speech, not music)."""
MAX_SECONDS = 30.0
MIN_SECONDS = 0.4
SILENCE_DBFS = -45.0
FULL_SCALE = 32_767
CLIPPED_AT = 32_000
CLIPPED_SHARE = 0.002
"""0.2% of the samples at full scale: a few clicks pass, a clipped voice does not."""


def samples(data: bytes | bytearray | memoryview) -> array:
    """16-bit little-endian samples of raw bytes (an odd last byte is dropped)."""
    out = array("h")
    raw = bytes(data)
    out.frombytes(raw[: len(raw) - len(raw) % 2])
    if sys.byteorder == "big":  # pragma: no cover
        out.byteswap()
    return out


def peak(block: array) -> float:
    """The loudest sample of ``block`` as a share of full scale (0..1): the level meter."""
    if not block:
        return 0.0
    return min(1.0, max(max(block), -min(block)) / FULL_SCALE)


def dbfs(value: float) -> float:
    return -120.0 if value <= 0 else 20 * math.log10(value)


def rms(block: array) -> float:
    if not block:
        return 0.0
    return math.sqrt(sum(s * s for s in block) / len(block)) / FULL_SCALE


@dataclass(frozen=True)
class Measure:
    seconds: float
    loudest: float
    """The loudest 50 ms window's RMS, in dBFS."""
    clipped: float
    """Share of samples at full scale."""


def measure(pcm: array, rate: int) -> Measure:
    window = max(1, rate // 20)
    loudest = 0.0
    for start in range(0, len(pcm), window):
        loudest = max(loudest, rms(pcm[start:start + window]))
    clipped = sum(1 for s in pcm if s >= CLIPPED_AT or s <= -CLIPPED_AT)
    return Measure(len(pcm) / rate if rate else 0.0, dbfs(loudest),
                   clipped / len(pcm) if pcm else 0.0)


def problem(pcm: array, rate: int) -> str | None:
    """Why this recording cannot be a prompt (one sentence), or None."""
    m = measure(pcm, rate)
    if m.seconds > MAX_SECONDS:
        return _("The recording is {seconds:.0f} s long; a prompt is at most {limit:.0f} s. "
                 "Record the question alone.").format(seconds=m.seconds, limit=MAX_SECONDS)
    if m.seconds < MIN_SECONDS:
        return _("The recording is too short; record the whole question.")
    if m.loudest < SILENCE_DBFS:
        return _("Nothing was heard: the recording is silent. Check that the microphone is "
                 "on and speak closer to it.")
    if m.clipped > CLIPPED_SHARE:
        return _("The recording is too loud and distorted (clipped). Speak a little further "
                 "from the microphone and record again.")
    return None


def to_mono(pcm: array, channels: int) -> array:
    if channels <= 1:
        return pcm
    out = array("h", bytes(2 * (len(pcm) // channels)))
    for i in range(len(out)):
        base = i * channels
        out[i] = int(sum(pcm[base:base + channels]) / channels)
    return out


def resample(pcm: array, rate: int, target: int = RATE) -> array:
    """``pcm`` at ``target`` samples per second: each output sample is the mean of the input
    samples it covers (a box filter, enough against aliasing for speech going to 16 kHz), or
    linearly interpolated when going up."""
    if rate == target or not pcm:
        return array("h", pcm)
    count = int(len(pcm) * target / rate)
    out = array("h", bytes(2 * count))
    step = rate / target
    if step > 1:
        for i in range(count):
            start = int(i * step)
            end = max(start + 1, int((i + 1) * step))
            chunk = pcm[start:end]
            out[i] = int(sum(chunk) / len(chunk))
    else:
        last = len(pcm) - 1
        for i in range(count):
            x = i * step
            j = int(x)
            frac = x - j
            nxt = pcm[j + 1] if j < last else pcm[j]
            out[i] = int(pcm[j] * (1 - frac) + nxt * frac)
    return out
