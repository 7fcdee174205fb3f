"""Recorded prompts: sound in and out of the app, with no Qt and no database.

- :mod:`fieldapp.audio.signal`: plain-Python checks of a recording (silent, clipped, too long)
  and the level meter's figure, on 16-bit mono samples (``array('h')``).
- :mod:`fieldapp.audio.codec`: Ogg Opus, mono, 16 kHz, about 14 kbit/s (10 s of speech in
  under 20 KB), written and read with libsndfile. The library comes from the ``soundfile``
  wheel (``_soundfile_data``, which bundles libsndfile 1.2 with Opus and Vorbis for Windows,
  Linux and macOS) and is called through that wheel's prebuilt cffi declarations
  (``_soundfile``): the ``soundfile`` module itself imports numpy at the top, which would add
  73 MB to the installed app for nothing the app needs.
- :mod:`fieldapp.audio.devices`: the microphone and the speaker (PortAudio through
  ``sounddevice``: bundled in its Windows and macOS wheels; on Linux the system's
  ``libportaudio2``), a :class:`~fieldapp.audio.devices.Recorder` that takes blocks of samples
  from any :class:`~fieldapp.audio.devices.InputDevice` (the microphone, or a test double fed a
  generated signal: the same code path), and :func:`~fieldapp.audio.devices.audio_status`,
  which says why recording or playing is not possible on this laptop.
"""
