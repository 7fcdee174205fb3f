"""Recorded prompts: what they weigh, one, a whole pack, in a package and a setup file, and
what the sound libraries add to the installed app.

Run on demand (prints figures, asserts nothing):

    .venv/bin/python tests/benchmarks/bench_prompts.py [--pack tyz]

Every text of every shipped form gets a prompt in one pack, of the length a reader takes to say
it (2.5 words a second, 1.5 s at least, 30 s at most), made of the tests' speech-like signal
(tests/audio/signals.py) and encoded by the same code as the microphone's takes
(fieldapp.audio.codec.prompt_from_take). Targets (issue 22): 10 s of speech at most 20 KB;
packages and setup files within their budgets (fieldapp.sync.package.MAX_PACKAGE,
fieldapp.services.sync.identity._SETUP_MAX).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "audio"))

WORDS_PER_SECOND = 2.5


def seconds_for(text: str) -> float:
    return min(30.0, max(1.5, len(text.split()) / WORDS_PER_SECOND))


def site_size(*names: str) -> int:
    """Bytes of these modules/packages in the environment (what an installer copies)."""
    import importlib.util

    total = 0
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        origin = Path(spec.origin)
        if spec.submodule_search_locations:
            total += sum(f.stat().st_size for f in origin.parent.rglob("*") if f.is_file()
                         and "__pycache__" not in f.parts)
        else:
            total += origin.stat().st_size
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pack", default="tyz")
    args = parser.parse_args()

    from signals import speech  # tests/audio/signals.py
    from sync_world import join_member, new_commune

    from fieldapp.audio.codec import prompt_from_take
    from fieldapp.i18n.packs import form_texts
    from fieldapp.services.access import Session
    from fieldapp.services.sync import exchange, identity
    from fieldapp.services.workspace import Workspace

    ten = prompt_from_take(speech(10.0, 16_000), 16_000)
    print(f"one prompt, 10 s of speech: {len(ten.data) / 1024:.1f} KB (target <= 20 KB)")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        commune = new_commune(folder / "commune.db")
        laptop = join_member(commune, folder, "L-1")
        staff = Session.of_user(commune.users.list()[0])
        translations = Workspace(laptop, staff).translations
        count, total, seconds = 0, 0, 0.0
        started = time.perf_counter()
        for form in translations.forms():
            for text in form_texts(form):
                # each its own signal (the package compresses what repeats)
                prompt = prompt_from_take(speech(seconds_for(text.source), 16_000,
                                                 seed=count), 16_000)
                translations.set_prompt(args.pack, text.key, prompt)
                count += 1
                total += len(prompt.data)
                seconds += prompt.milliseconds / 1000
        print(f"a whole pack ({args.pack}, every text of {len(translations.forms())} forms): "
              f"{count} prompts, {seconds / 60:.1f} min of speech, {total / 1024 / 1024:.2f} MB "
              f"({time.perf_counter() - started:.1f} s to store)")
        package = exchange.export_package(laptop, folder / "up.fieldsync")
        size = package.path.stat().st_size
        from fieldapp.sync.package import MAX_PACKAGE

        print(f"the member's package carrying them: {size / 1024 / 1024:.2f} MB "
              f"(budget {MAX_PACKAGE / 1024**3:.0f} GB)")
        assert exchange.import_package(commune, package.path).status == "applied"
        registration = identity.register_device(commune, "L-2", commune.users.list()[0]["id"])
        setup = identity.write_setup_file(commune, registration, folder / "new.setup")
        print(f"a setup file for a new laptop of the commune, with them: "
              f"{setup.stat().st_size / 1024 / 1024:.2f} MB "
              f"(budget {identity._SETUP_MAX / 1024 / 1024:.0f} MB)")
        for store in (laptop, commune):
            store.close()

    libs = site_size("_soundfile_data", "_soundfile")
    device = site_size("sounddevice", "_sounddevice", "_sounddevice_data")
    cffi = site_size("_cffi_backend", "cffi")
    print(f"installed app: libsndfile with its cffi declarations {libs / 1024 / 1024:.1f} MB, "
          f"sounddevice {device / 1024 / 1024:.2f} MB, cffi {cffi / 1024 / 1024:.2f} MB "
          f"(PortAudio: bundled in sounddevice's Windows/macOS wheels; on Linux the system's "
          f"libportaudio2); numpy (soundfile's own dependency) is never imported")


if __name__ == "__main__":
    main()
