"""Prompts as Ogg Opus (mono, 16 kHz, ~14 kbit/s) through libsndfile (see the package docstring).

:func:`prompt_from_take` turns what the microphone gave into a stored prompt,
:func:`prompt_from_file` an audio file a translator chose (WAV, FLAC, Ogg Vorbis or Opus, MP3:
whatever libsndfile reads), both refusing with one sentence what cannot be a prompt;
:func:`decode` reads a stored prompt back for playing. Every byte string is untrusted (a prompt
may come from another laptop): sizes are checked before libsndfile sees it, and reading stops
after :data:`~fieldapp.audio.signal.MAX_SECONDS` and a little.
"""

from __future__ import annotations

import ctypes.util
import io
import os
import platform
import sys
import sysconfig
from array import array
from dataclasses import dataclass
from functools import lru_cache

from fieldapp.audio import signal
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _

MEDIA_TYPE = "audio/ogg; codecs=opus"
OGG, OPUS = 0x200000, 0x0064
SFM_READ, SFM_WRITE = 0x10, 0x20
SFC_SET_COMPRESSION_LEVEL = 0x1301
COMPRESSION = 0.97
"""libsndfile's Opus bitrate: 0.97 gives ~14.5 kbit/s at 16 kHz mono (18 KB for 10 s of a
speech-like signal; tests/audio/test_codec.py holds 10 s under 20 KB)."""
MAX_PROMPT_BYTES = 96 * 1024
"""A stored prompt: 30 s at the bitrate above with room for Opus's variable rate."""
MAX_FILE_BYTES = 20 * 1024 * 1024
"""An audio file chosen to become a prompt (a 30 s WAV at 48 kHz stereo is 5.8 MB)."""
_CHUNK = 4096


class AudioUnavailable(UserError):
    """The sound library cannot be loaded on this installation."""


class AudioFileError(UserError):
    """A file or a recording that cannot become (or be played as) a prompt; the message says
    why in one sentence."""


@dataclass(frozen=True)
class Prompt:
    data: bytes
    """Ogg Opus."""
    milliseconds: int
    media_type: str = MEDIA_TYPE


def _packaged_name() -> str:
    if sys.platform == "win32":
        return {"win-arm64": "libsndfile_arm64.dll", "win32": "libsndfile_x86.dll"}.get(
            sysconfig.get_platform(), "libsndfile_x64.dll")
    machine = platform.machine()
    if sys.platform == "darwin":
        return f"libsndfile_{machine}.dylib"
    if machine in ("aarch64", "aarch64_be", "armv8b", "armv8l"):
        return "libsndfile_arm64.so"
    return f"libsndfile_{machine}.so"


@lru_cache(maxsize=1)
def library():
    """(ffi, lib) of libsndfile: the copy bundled in the soundfile wheel, else the system's."""
    try:
        from _soundfile import ffi
    except ImportError:
        raise AudioUnavailable(_("This installation has no sound library (libsndfile): "
                                 "recorded prompts are off. Install fieldapp again.")) from None
    candidates = []
    try:
        import _soundfile_data
        candidates.append(os.path.join(os.path.dirname(_soundfile_data.__file__),
                                       _packaged_name()))
    except (ImportError, TypeError):
        pass
    found = ctypes.util.find_library("sndfile")
    if found:
        candidates.append(found)
    for candidate in candidates:
        try:
            return ffi, ffi.dlopen(candidate)
        except OSError:
            continue
    raise AudioUnavailable(_("This installation has no sound library (libsndfile): recorded "
                             "prompts are off. Install fieldapp again."))


class _Virtual:
    """libsndfile's virtual I/O over a BytesIO (the callbacks live as long as this object)."""

    def __init__(self, ffi, buffer: io.BytesIO):
        self.buffer = buffer

        @ffi.callback("sf_vio_get_filelen")
        def length(_user):
            return len(buffer.getbuffer())

        @ffi.callback("sf_vio_seek")
        def seek(offset, whence, _user):
            return buffer.seek(offset, whence)

        @ffi.callback("sf_vio_read")
        def read(pointer, count, _user):
            data = buffer.read(count)
            ffi.buffer(pointer, len(data))[:] = data
            return len(data)

        @ffi.callback("sf_vio_write")
        def write(pointer, count, _user):
            return buffer.write(ffi.buffer(pointer, count)[:])

        @ffi.callback("sf_vio_tell")
        def tell(_user):
            return buffer.tell()

        self.callbacks = (length, seek, read, write, tell)
        self.io = ffi.new("SF_VIRTUAL_IO*", {"get_filelen": length, "seek": seek, "read": read,
                                             "write": write, "tell": tell})


def encode(pcm: array, rate: int = signal.RATE) -> bytes:
    """Ogg Opus bytes of 16-bit mono samples at ``rate`` (8, 12, 16, 24 or 48 kHz)."""
    ffi, lib = library()
    out = io.BytesIO()
    virtual = _Virtual(ffi, out)
    info = ffi.new("SF_INFO*")
    info.samplerate, info.channels, info.format = rate, 1, OGG | OPUS
    handle = lib.sf_open_virtual(virtual.io, SFM_WRITE, info, ffi.NULL)
    if handle == ffi.NULL:
        raise AudioUnavailable(_("The sound library cannot write Opus: {error}").format(
            error=ffi.string(lib.sf_strerror(ffi.NULL)).decode("utf-8", "replace")))
    try:
        level = ffi.new("double*", COMPRESSION)
        lib.sf_command(handle, SFC_SET_COMPRESSION_LEVEL, level, ffi.sizeof("double"))
        if pcm:
            lib.sf_writef_short(handle, ffi.from_buffer("short[]", pcm), len(pcm))
    finally:
        lib.sf_close(handle)
    return out.getvalue()


def decode(data: bytes, *, limit_seconds: float = signal.MAX_SECONDS + 2) -> tuple[array, int]:
    """(mono 16-bit samples, rate) of an audio file's bytes, at most ``limit_seconds`` of
    them; AudioFileError when libsndfile cannot read it."""
    ffi, lib = library()
    virtual = _Virtual(ffi, io.BytesIO(bytes(data)))
    info = ffi.new("SF_INFO*")
    handle = lib.sf_open_virtual(virtual.io, SFM_READ, info, ffi.NULL)
    if handle == ffi.NULL:
        raise AudioFileError(_("This is not a sound file the app can read (WAV, FLAC, Ogg "
                               "Vorbis or Opus, MP3)."))
    try:
        channels, rate = int(info.channels), int(info.samplerate)
        if not 1 <= channels <= 8 or not 4000 <= rate <= 192_000:
            raise AudioFileError(_("This sound file has {channels} channels at {rate} Hz: the "
                                   "app cannot read it.").format(channels=channels, rate=rate))
        wanted = int(limit_seconds * rate)
        pcm = array("h")
        buffer = ffi.new("short[]", _CHUNK * channels)
        while len(pcm) < wanted * channels:
            got = lib.sf_readf_short(handle, buffer, _CHUNK)
            if got <= 0:
                break
            pcm.frombytes(ffi.buffer(buffer, got * channels * 2)[:])
        if sys.byteorder == "big":  # pragma: no cover
            pcm.byteswap()
    finally:
        lib.sf_close(handle)
    return signal.to_mono(pcm, channels), rate


def prompt_from_take(pcm: array, rate: int) -> Prompt:
    """A recording (16-bit mono at ``rate``) as a prompt; AudioFileError (one sentence) when it
    is silent, clipped, too short or too long."""
    problem = signal.problem(pcm, rate)
    if problem:
        raise AudioFileError(problem)
    mono = signal.resample(pcm, rate)
    data = encode(mono)
    if len(data) > MAX_PROMPT_BYTES:
        raise AudioFileError(_("The recording does not compress small enough to be carried "
                               "to every laptop; record it again more quietly."))
    return Prompt(data, round(1000 * len(mono) / signal.RATE))


def prompt_from_file(data: bytes, name: str = "") -> Prompt:
    """An audio file's bytes as a prompt (re-encoded to Ogg Opus, mono, 16 kHz)."""
    if len(data) > MAX_FILE_BYTES:
        raise AudioFileError(_("{file} is {size:.0f} MB; a prompt's file is at most {limit} MB "
                               "(30 seconds).").format(file=name or _("The file"),
                                                       size=len(data) / 1024 / 1024,
                                                       limit=MAX_FILE_BYTES // 1024 // 1024))
    if not data:
        raise AudioFileError(_("{file} is empty.").format(file=name or _("The file")))
    pcm, rate = decode(data)
    return prompt_from_take(pcm, rate)


def looks_like_prompt(data: object) -> bool:
    """Whether a received value can be a stored prompt (Ogg, within the size budget): what
    another laptop sends is checked before anything reads it."""
    return isinstance(data, (bytes, bytearray)) and 0 < len(data) <= MAX_PROMPT_BYTES \
        and bytes(data[:4]) == b"OggS"
