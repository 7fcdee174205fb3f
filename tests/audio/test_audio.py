"""Recorded prompts: a generated signal through the Recorder (the microphone's code path, with
a test double for the device), the checks that refuse a bad take or file, Opus's size, and
playback on a null output."""

from __future__ import annotations

import pytest

from fieldapp.audio import codec, signal
from fieldapp.audio.devices import NullOutput, Player, Recorder, audio_status
from signals import GeneratedInput, clipped, silence, speech, wav_bytes


def record(pcm, rate=48_000, **kwargs):
    device = GeneratedInput(pcm, rate)
    recorder = Recorder(device, **kwargs)
    recorder.start()
    return recorder, device


def test_a_spoken_take_becomes_a_small_opus_prompt():
    recorder, device = record(speech(10.0))
    assert max(device.levels) > 0.2  # the level meter moved while "speaking"
    assert recorder.seconds == pytest.approx(10.0, abs=0.06)
    prompt = recorder.stop()
    assert device.stopped == 1
    assert prompt.data[:4] == b"OggS" and b"OpusHead" in prompt.data[:200]
    assert len(prompt.data) <= 20 * 1024, len(prompt.data)  # 10 s of speech in <= 20 KB
    assert prompt.milliseconds == pytest.approx(10_000, abs=60)
    pcm, rate = codec.decode(prompt.data)
    assert rate == signal.RATE and len(pcm) / rate == pytest.approx(10.0, abs=0.1)


@pytest.mark.parametrize("pcm,words", [
    (silence(3.0), "silent"),
    (clipped(3.0), "clipped"),
    (speech(0.2), "too short"),
])
def test_a_bad_take_is_refused_with_its_reason(pcm, words):
    recorder, _device = record(pcm)
    with pytest.raises(codec.AudioFileError, match=words):
        recorder.stop()


def test_a_take_stops_itself_at_thirty_seconds_and_is_refused():
    recorder, _device = record(speech(33.0, rate=16_000), rate=16_000)
    assert recorder.overran and not recorder.running
    assert recorder.seconds <= signal.MAX_SECONDS + 0.1
    with pytest.raises(codec.AudioFileError, match="at most 30 s"):
        recorder.stop()


def test_an_audio_file_is_reencoded_as_a_prompt():
    data = wav_bytes(speech(4.0, rate=44_100), 44_100, channels=2)
    prompt = codec.prompt_from_file(data, "loi-chao.wav")
    assert prompt.milliseconds == pytest.approx(4000, abs=60)
    assert codec.looks_like_prompt(prompt.data)


@pytest.mark.parametrize("data,words", [
    (b"not audio at all, a text file renamed", "not a sound file"),
    (b"\x00\x00\x00\x20ftypM4A " + bytes(4000), "not a sound file"),  # AAC in MP4
    (b"", "empty"),
    (wav_bytes(speech(40.0, rate=8_000), 8_000), "at most 30 s"),
    (wav_bytes(silence(2.0), 48_000), "silent"),
])
def test_a_bad_audio_file_is_refused(data, words):
    with pytest.raises(codec.AudioFileError, match=words):
        codec.prompt_from_file(data, "x.m4a")


def test_a_huge_file_is_refused_before_it_is_read():
    with pytest.raises(codec.AudioFileError, match="at most 20 MB"):
        codec.prompt_from_file(bytes(codec.MAX_FILE_BYTES + 1), "big.wav")


def test_playback_on_a_null_output_plays_the_whole_prompt():
    prompt = codec.prompt_from_take(speech(3.0), 48_000)
    output = NullOutput()
    results = []
    Player(output).play(prompt.data, wait=True, done=results.append)
    assert results == [""]
    assert output.rate == signal.RATE
    assert output.frames / output.rate == pytest.approx(3.0, abs=0.1)
    assert max(signal.peak(b) for b in output.played) > 0.1


def test_a_damaged_prompt_is_not_played():
    with pytest.raises(codec.AudioFileError, match="damaged"):
        Player(NullOutput()).play(b"OggS" + bytes(100), wait=True)
    with pytest.raises(codec.AudioFileError, match="damaged"):
        Player(NullOutput()).play(b"RIFF" + bytes(100), wait=True)


def test_audio_status_says_why_when_nothing_can_sound():
    status = audio_status()
    assert status.can_record or status.reason
    assert status.can_play or status.reason
