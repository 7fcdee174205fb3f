"""The Translate screen's recording box: a level meter, Record, Stop, Play, Keep, Redo, an audio
file instead, and Remove.

A take comes from :class:`fieldapp.audio.devices.Recorder` fed by the microphone (or, in the
tests, a device double fed a generated signal: the same path); encoding it, and reading a
chosen file, run off the UI thread. Nothing is stored until Keep: Keep hands the prompt to
:attr:`PromptPanel.keep`, which the screen writes through the writer. On a laptop without a
microphone or speaker the buttons are disabled and a line says why.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                               QVBoxLayout, QWidget)

from fieldapp.audio import codec, devices
from fieldapp.i18n.catalog import _
from fieldapp.ui import tasks
from fieldapp.ui.formatting import fmt_decimal
from fieldapp.ui.widgets import MutedLabel

METER_MS = 50
AUDIO_FILES = "*.ogg *.opus *.oga *.wav *.flac *.mp3"


class _Relay(QObject):
    """Carries the player thread's "finished" to the UI thread (a queued signal)."""

    finished = Signal(str)


class PromptPanel(QWidget):
    """Record or choose the prompt of one entry; ``keep(Prompt)`` and ``remove()`` are the
    screen's to write. ``input_device``/``output_device`` build the devices (the microphone
    and the speaker unless a test gives doubles); ``status`` says what the laptop can do."""

    keep = Signal(object)
    remove = Signal()

    def __init__(self, parent: QWidget | None = None, *,
                 input_device: Callable[[], devices.InputDevice] | None = None,
                 output_device: Callable[[], devices.OutputDevice] | None = None,
                 status: devices.AudioStatus | None = None):
        super().__init__(parent)
        self._input = input_device or devices.Microphone
        self._output = output_device or devices.Speaker
        self._asked = status is None  # asked of the sound system (in retranslate, so the
        self.status = status           # reason is in the language shown)
        self.recorder: devices.Recorder | None = None
        self.player: devices.Player | None = None
        self.take: codec.Prompt | None = None
        """The take recorded or chosen, not kept yet."""
        self.stored: bytes | None = None
        """The entry's prompt as stored (its own or its parent pack's)."""
        self._relay = _Relay(self)
        self._relay.finished.connect(self._played)
        self.meter = QProgressBar()
        self.meter.setObjectName("level_meter")
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.meter.setFixedHeight(12)
        self.meter.setFixedWidth(90)
        self.state = QLabel()
        self.state.setObjectName("prompt_state")
        self.state.setWordWrap(True)
        self.reason = MutedLabel()
        self.reason.setObjectName("audio_reason")
        self.buttons: dict[str, QPushButton] = {}
        # Three short rows (take, keep it, a file instead): the panel fits beside the table at
        # 125% scaling on a 1366x768 screen.
        rows = [QHBoxLayout(), QHBoxLayout(), QHBoxLayout()]
        for name, slot, row in (("record", self.record, 0), ("stop", self.stop, 0),
                                ("play", self.play, 0), ("keep", self._keep, 1),
                                ("redo", self.redo, 1), ("file", self.choose_file, 2),
                                ("remove", self.remove.emit, 2)):
            button = QPushButton()
            button.setObjectName(f"prompt_{name}")
            button.clicked.connect(slot)
            self.buttons[name] = button
            rows[row].addWidget(button)
        meter_row = QHBoxLayout()
        meter_row.addWidget(self.meter)
        meter_row.addWidget(self.state, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(meter_row)
        for row in rows:
            row.addStretch(1)
            layout.addLayout(row)
        layout.addWidget(self.reason)
        self._timer = QTimer(self)
        self._timer.setInterval(METER_MS)
        self._timer.timeout.connect(self._tick)
        self.retranslate()
        self.show_entry(None, None)

    def retranslate(self) -> None:
        texts = {"record": _("● Record"), "stop": _("■ Stop"), "play": _("▶ Play"),
                 "keep": _("Keep"), "redo": _("Redo"), "file": _("Audio file…"),
                 "remove": _("Remove")}
        for name, text in texts.items():
            self.buttons[name].setText(text)
        if self._asked:  # the reason in the language now shown
            self.status = devices.audio_status()
        self.buttons["record"].setToolTip(_("Record the text read aloud (at most 30 seconds)"))
        self.buttons["keep"].setToolTip(_("Keep this take as the entry's recording"))
        self.reason.setText(self.status.reason)
        self.reason.setVisible(bool(self.status.reason))

    # -- what is shown ------------------------------------------------------------------------
    def show_entry(self, stored: bytes | None, described: str | None, *,
                   own: bool = False) -> None:
        """A new entry is shown: its stored prompt (or None), a line saying whose it is, and
        whether it is the entry's own (only that one can be removed here)."""
        self._cancel()
        self.take = None
        self.stored = stored
        self._own = own
        self._described = described or _("No recording yet.")
        self.state.setText(self._described)
        self._enable()

    def _enable(self) -> None:
        recording = self.recorder is not None and self.recorder.running
        entry = self._described is not None and self.isEnabled()
        can_record, can_play = self.status.can_record, self.status.can_play
        self.buttons["record"].setEnabled(entry and can_record and not recording
                                          and self.take is None)
        self.buttons["stop"].setEnabled(recording)
        self.buttons["play"].setEnabled(can_play and not recording
                                        and (self.take is not None or bool(self.stored)))
        self.buttons["keep"].setEnabled(self.take is not None and not recording)
        self.buttons["redo"].setEnabled(self.take is not None and can_record and not recording)
        self.buttons["file"].setEnabled(entry and not recording)
        self.buttons["remove"].setEnabled(self._own and not recording
                                          and self.take is None)

    # -- recording ----------------------------------------------------------------------------
    def record(self) -> None:
        self._stop_playing()
        try:
            self.recorder = devices.Recorder(self._input())
            self._timer.start()
            self.recorder.start()
        except codec.AudioUnavailable as exc:
            self._timer.stop()
            self.recorder = None
            self.state.setText(str(exc))
            self._enable()
            return
        self.state.setText(_("Recording… read the text, then Stop."))
        self._enable()
        self._tick()

    def _tick(self) -> None:
        recorder = self.recorder
        if recorder is None:
            self._timer.stop()
            return
        self.meter.setValue(round(100 * recorder.level))
        if recorder.running:
            self.state.setText(_("Recording… {seconds} s").format(
                seconds=fmt_decimal(recorder.seconds)))
        else:  # reached the longest a prompt may be
            self.stop()

    def stop(self) -> None:
        recorder, self.recorder = self.recorder, None
        self._timer.stop()
        self.meter.setValue(0)
        if recorder is None:
            return
        self.state.setText(_("Compressing the recording…"))
        self._enable()
        tasks.run_in_background(lambda _p, _c: recorder.stop(), self._took, self._refused,
                                parent=self)

    def redo(self) -> None:
        self.take = None
        self.record()

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Choose an audio file"), "", _("Audio files ({patterns})").format(
                patterns=AUDIO_FILES))
        if path:
            self.load_file(path)

    def load_file(self, path: str) -> None:
        """Make the take from an audio file (read and re-encoded off the UI thread)."""
        from pathlib import Path

        def read(_progress, _cancelled) -> codec.Prompt:
            file = Path(path)
            if file.stat().st_size > codec.MAX_FILE_BYTES:  # before reading it all in
                return codec.prompt_from_file(b"\0" * (codec.MAX_FILE_BYTES + 1), file.name)
            return codec.prompt_from_file(file.read_bytes(), file.name)

        self.state.setText(_("Reading the audio file…"))
        tasks.run_in_background(read, self._took, self._refused, parent=self)

    def _took(self, prompt: codec.Prompt) -> None:
        self.take = prompt
        self.state.setText(_("A take of {seconds} s ({size} KB): play it, then Keep or Redo.")
                           .format(seconds=fmt_decimal(prompt.milliseconds / 1000),
                                   size=fmt_decimal(len(prompt.data) / 1024)))
        self._enable()

    def _refused(self, exc: BaseException) -> None:
        self.take = None
        self.state.setText(tasks.error_message(exc))
        self._enable()

    def _keep(self) -> None:
        if self.take is not None:
            self.keep.emit(self.take)

    # -- playing ------------------------------------------------------------------------------
    def play(self) -> None:
        data = self.take.data if self.take is not None else self.stored
        if not data:
            return
        self._stop_playing()
        try:
            self.player = devices.Player(self._output())
            self.player.play(data, done=self._relay.finished.emit)
        except codec.AudioFileError as exc:  # AudioUnavailable too
            self.state.setText(str(exc))
            return
        self.buttons["play"].setEnabled(False)

    def _played(self, error: str) -> None:
        if error:
            self.state.setText(error)
        self._enable()

    def _stop_playing(self) -> None:
        if self.player is not None:
            self.player.stop()
            self.player = None

    def _cancel(self) -> None:
        self._stop_playing()
        recorder, self.recorder = self.recorder, None
        self._timer.stop()
        self.meter.setValue(0)
        if recorder is not None and recorder.running:
            recorder.device.stop()
