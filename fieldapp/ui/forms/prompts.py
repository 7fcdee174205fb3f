"""Recorded prompts during a survey: a speaker button beside each text of the page that has a
recording in the pack shown, and one key (F5) that plays the current question's.

:class:`SurveyPrompts` is what the form view is given (by the surveys screen, from the
translations service): which texts of a (pack, form) have a recording, the recording itself,
and what the laptop can do with sound (a laptop without a speaker shows the buttons disabled,
their tooltip saying why). Playing runs on the player's own thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QToolButton, QWidget

from fieldapp.i18n.catalog import _

PLAY_KEY = "F5"


class SurveyPrompts(QObject):
    """``keys(pack, form_id)``: the texts with a recording; ``read(pack, key)``: its bytes;
    ``output()``: the speaker (or a null output in the tests); ``status``: an AudioStatus."""

    finished = Signal(str)
    """A prompt finished playing ('' or why it could not)."""

    def __init__(self, keys: Callable[[str, str], dict[str, str]],
                 read: Callable[[str, str], bytes | None], *, output=None, status=None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._keys = keys
        self._read = read
        self._output = output
        self._status = status
        self._cache: dict[tuple[str, str], dict[str, str]] = {}
        self.player = None
        self.played: list[str] = []
        """The keys played, in order (what the survey said aloud)."""

    @property
    def status(self):
        """What the laptop can do with sound, asked of the sound system the first time a page
        has a recording (not when a form without any opens)."""
        if self._status is None:
            from fieldapp.audio import devices

            self._status = devices.audio_status()
        return self._status

    def keys(self, pack: str | None, form_id: str) -> dict[str, str]:
        """{key: the pack whose recording plays} for the texts with one."""
        if not pack:
            return {}
        if (pack, form_id) not in self._cache:
            self._cache[(pack, form_id)] = self._keys(pack, form_id)
        return self._cache[(pack, form_id)]

    def forget(self) -> None:
        """Read the keys again (a recording was kept on this laptop or arrived by sync)."""
        self._cache.clear()

    def play(self, pack: str, key: str) -> str:
        """Play the recording of (pack, key); returns '' or why it cannot play."""
        from fieldapp.audio import codec, devices

        if not self.status.can_play:
            return self.status.reason
        data = self._read(pack, key)
        if not data:
            return _("This text has no recording.")
        self.stop()
        try:
            self.player = devices.Player((self._output or devices.Speaker)())
            self.player.play(data, done=self.finished.emit)
        except codec.AudioFileError as exc:  # AudioUnavailable too
            return str(exc)
        self.played.append(key)
        return ""

    def stop(self) -> None:
        if self.player is not None:
            self.player.stop()
            self.player = None


def speaker_button(parent: QWidget, name: str) -> QToolButton:
    """The small speaker beside a text (hidden until the text has a recording)."""
    from PySide6.QtWidgets import QStyle

    button = QToolButton(parent)
    button.setObjectName(name)
    button.setIcon(button.style().standardIcon(QStyle.StandardPixmap.SP_MediaVolume))
    button.setAutoRaise(True)
    button.setVisible(False)
    return button


def show_speaker(button: QToolButton, key: str, keys: dict[str, str], status) -> None:
    """Show ``button`` when the text ``key`` has a recording (in ``keys``: '' for the pack's
    own, else the parent pack's code); disabled (tooltip: why) without sound; a recording of
    the parent pack says whose it is."""
    from fieldapp.i18n.pack_languages import pack_language_name

    on = bool(key) and key in keys
    button.setVisible(on)
    if not on:
        return
    button.setEnabled(status.can_play)
    tip = _("Play the recording ({key})").format(key=PLAY_KEY)
    if keys[key]:
        tip = _("Play the {language} recording ({key}): there is none in this pack yet").format(
            language=pack_language_name(keys[key]), key=PLAY_KEY)
    button.setToolTip(tip if status.can_play else status.reason)
    button.setAccessibleName(_("Play the recording"))


class SpeakingMixin:
    """The form view's part of prompts (FormView mixes it in): ``self.prompts`` is a
    :class:`SurveyPrompts` or None, ``self.labels`` the label source shown."""

    prompts: SurveyPrompts | None = None

    def _bind_prompt_key(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QKeySequence, QShortcut

        shortcut = QShortcut(QKeySequence(PLAY_KEY), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.play_current_prompt)
        self._prompt_shortcut = shortcut
        if self.prompts is not None:
            self.prompts.finished.connect(self._prompt_finished)

    def _prompt_keys(self) -> dict[str, str]:
        """{key of a text with a recording: '' when the recording is the pack's own, else the
        parent pack whose recording plays}."""
        if self.prompts is None:
            return {}
        pack = self.labels.pack_lang
        return {key: "" if code == pack else code
                for key, code in self.prompts.keys(pack, self.form.form_id).items()}

    def _show_prompts(self) -> None:
        if self.prompts is None:
            return
        keys = self._prompt_keys()
        status = self.prompts.status if keys else None
        for editor in self.page_editors.editors.values():
            editor.show_prompts(keys, status)

    def play_prompt(self, key: str) -> str:
        """Play the recording of ``key`` in the pack shown; returns '' or why not (also shown
        in the banner)."""
        if self.prompts is None or not key or not self.labels.pack_lang:
            return ""
        problem = self.prompts.play(self.labels.pack_lang, key)
        if problem:
            self._show_banner(problem, "info")
        return problem

    def play_current_prompt(self) -> str:
        """F5: the recording of the question that has the keyboard focus (else the page's
        first question that has one)."""
        from PySide6.QtWidgets import QApplication

        keys = self._prompt_keys()
        editors = self.page_editors.editors
        at = self.page_editors.focus_position(QApplication.focusWidget())
        ordered = ([editors[at[0]]] if at else []) + list(editors.values())
        for editor in ordered:
            if editor.prompt_key in keys:
                return self.play_prompt(editor.prompt_key)
        return ""

    def _prompt_finished(self, error: str) -> None:
        if error:
            self._show_banner(error, "info")
