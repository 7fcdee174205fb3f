"""The microphone and the speaker, and a recording taken from any input device.

:class:`Recorder` is the one path a recording takes: an :class:`InputDevice` calls it back with
blocks of 16-bit mono samples (PortAudio's audio thread for the real microphone, a generated
signal in the tests), it keeps them, updates the level meter's figure and stops itself at the
longest a prompt may be. :class:`Player` plays a stored prompt on an :class:`OutputDevice`
(the speaker, or :class:`NullOutput`, which only counts what it was given).

:func:`audio_status` says whether this laptop can record and play, and if not, why (no sound
library, no microphone, no speaker), so the screens can disable their buttons with a reason.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from fieldapp.audio import codec, signal
from fieldapp.i18n.catalog import _

Block = Callable[[bytes], None]
BLOCK_SECONDS = 0.05
DEVICE_RATES = (16_000, 48_000, 44_100)
"""Rates tried for the microphone, in order (Opus takes 16 and 48 kHz as they are)."""


class InputDevice(Protocol):
    rate: int

    def start(self, on_block: Block) -> None:
        """Begin calling ``on_block`` with raw 16-bit mono samples (any thread)."""

    def stop(self) -> None: ...


class OutputDevice(Protocol):
    def play(self, pcm: array, rate: int, stopped: Callable[[], bool]) -> None:
        """Play 16-bit mono samples to the end (or until ``stopped()``); blocks the caller."""


@dataclass(frozen=True)
class AudioStatus:
    can_record: bool
    can_play: bool
    reason: str = ""
    """Why a button is disabled ('' when both work)."""


def _sounddevice():
    """The sounddevice module, or the sentence that says why it cannot load."""
    try:
        import sounddevice
    except OSError:  # PortAudio itself is missing (Linux without libportaudio2)
        return None, _("This computer has no sound system library (PortAudio); on Linux "
                       "install libportaudio2.")
    except ImportError:
        return None, _("This installation has no sound device library: install fieldapp "
                       "again.")
    return sounddevice, ""


def audio_status() -> AudioStatus:
    """What this laptop can do with sound, checked now (devices come and go)."""
    try:
        codec.library()
    except codec.AudioUnavailable as exc:
        return AudioStatus(False, False, str(exc))
    sd, reason = _sounddevice()
    if sd is None:
        return AudioStatus(False, False, reason)
    try:
        devices = sd.query_devices()
    except Exception as exc:  # PortAudio reports a broken host API as a plain error
        return AudioStatus(False, False, _("The sound system does not answer ({error}).").format(
            error=exc))
    inputs = any(d.get("max_input_channels", 0) > 0 for d in devices)
    outputs = any(d.get("max_output_channels", 0) > 0 for d in devices)
    reasons = []
    if not inputs:
        reasons.append(_("No microphone was found on this computer: recording is off."))
    if not outputs:
        reasons.append(_("No speaker or headphones were found on this computer: playing is "
                         "off."))
    return AudioStatus(inputs, outputs, " ".join(reasons))


class Microphone:
    """The default input device through PortAudio (sounddevice's raw stream: bytes, no numpy)."""

    def __init__(self):
        sd, reason = _sounddevice()
        if sd is None:
            raise codec.AudioUnavailable(reason)
        self._sd = sd
        self._stream = None
        self.rate = 0

    def start(self, on_block: Block) -> None:
        def callback(indata, _frames, _time, _status):
            on_block(bytes(indata))

        last_error: Exception | None = None
        for rate in DEVICE_RATES:
            try:
                stream = self._sd.RawInputStream(
                    samplerate=rate, channels=1, dtype="int16",
                    blocksize=int(rate * BLOCK_SECONDS), callback=callback)
            except Exception as exc:  # an unsupported rate: try the next one
                last_error = exc
                continue
            self.rate = rate
            self._stream = stream
            stream.start()
            return
        raise codec.AudioUnavailable(_("The microphone cannot be opened ({error}).").format(
            error=last_error))

    def stop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.stop()
            stream.close()


class Speaker:
    """The default output device through PortAudio."""

    def __init__(self):
        sd, reason = _sounddevice()
        if sd is None:
            raise codec.AudioUnavailable(reason)
        self._sd = sd

    def play(self, pcm: array, rate: int, stopped: Callable[[], bool]) -> None:
        try:
            stream = self._sd.RawOutputStream(samplerate=rate, channels=1, dtype="int16")
        except Exception as exc:
            raise codec.AudioUnavailable(_("The speaker cannot be opened ({error}).").format(
                error=exc)) from None
        step = int(rate * BLOCK_SECONDS)
        with stream:
            for start in range(0, len(pcm), step):
                if stopped():
                    break
                stream.write(pcm[start:start + step].tobytes())


class NullOutput:
    """An output that plays nothing and keeps count of what it was given (tests, and laptops
    without a speaker that still check a prompt decodes)."""

    def __init__(self):
        self.frames = 0
        self.rate = 0
        self.played: list[array] = []

    def play(self, pcm: array, rate: int, stopped: Callable[[], bool]) -> None:
        self.rate = rate
        step = int(rate * BLOCK_SECONDS)
        for start in range(0, len(pcm), step):
            if stopped():
                break
            block = pcm[start:start + step]
            self.frames += len(block)
            self.played.append(block)


class Recorder:
    """One take: blocks from ``device`` until :meth:`stop` or :data:`signal.MAX_SECONDS`.

    ``level`` is the loudest sample of the last block (0..1) for the meter; ``seconds`` how
    long the take is so far. :meth:`stop` returns the prompt, or raises AudioFileError saying
    why the take cannot be one (silent, clipped, too short, too long).
    """

    def __init__(self, device: InputDevice, *, max_seconds: float = signal.MAX_SECONDS):
        self.device = device
        self.max_seconds = max_seconds
        self.level = 0.0
        self._pcm = array("h")
        self._lock = threading.Lock()
        self._running = False
        self.overran = False
        """The take reached the longest a prompt may be and was stopped there."""

    @property
    def seconds(self) -> float:
        rate = self.device.rate or signal.RATE
        with self._lock:
            return len(self._pcm) / rate

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        self._pcm = array("h")
        self.level = 0.0
        self.overran = False
        self._running = True
        self.device.start(self._on_block)

    def _on_block(self, data: bytes) -> None:
        if not self._running:
            return
        block = signal.samples(data)
        rate = self.device.rate or signal.RATE
        with self._lock:
            self._pcm.extend(block)
            full = len(self._pcm) > self.max_seconds * rate
        self.level = signal.peak(block)
        if full:
            self.overran = True
            self._running = False

    def stop(self) -> codec.Prompt:
        self._running = False
        self.device.stop()
        with self._lock:
            pcm = self._pcm
        rate = self.device.rate or signal.RATE
        if self.overran:
            raise codec.AudioFileError(_(
                "The recording reached {limit:.0f} s and was stopped; a prompt is at most "
                "{limit:.0f} s. Record the question alone.").format(limit=self.max_seconds))
        return codec.prompt_from_take(pcm, rate)


class Player:
    """Plays stored prompts on ``output``, one at a time, off the caller's thread."""

    def __init__(self, output: OutputDevice):
        self.output = output
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error = ""

    def play(self, data: bytes, *, wait: bool = False,
             done: Callable[[str], None] | None = None) -> None:
        """Decode ``data`` (a stored prompt) and play it; a prompt already playing stops
        first. ``done(error)`` is called at the end ('' when all went well)."""
        self.stop()
        pcm = None
        if codec.looks_like_prompt(data):
            try:
                pcm, rate = codec.decode(data)
            except codec.AudioFileError:
                pcm = None
        if not pcm:
            raise codec.AudioFileError(_("This recording is damaged and cannot be played."))
        self._stop = threading.Event()
        stop = self._stop

        def run() -> None:
            error = ""
            try:
                self.output.play(pcm, rate, stop.is_set)
            except codec.AudioUnavailable as exc:
                error = str(exc)
            self.error = error
            if done is not None:
                done(error)

        if wait:
            run()
            return
        self._thread = threading.Thread(target=run, name="fieldapp-prompt", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2)
        self._thread = None
