"""Which spelling a text of a Dao (Iu Mien) pack is written in: the 1984 unified script or the
Vietnamese-based spelling (two packs of one language, ``ium`` and ``ium@dao-vn``, never mixed
in one entry).

- The unified script (1984) writes with plain ASCII letters (tones are final consonant letters:
  Mienh, benx); any other letter (ă, â, đ, ê, ô, ơ, ư, a tone mark) belongs to the
  Vietnamese-based spelling (TEXT.md: "Iu Mien: the unified script (1984), plain ASCII
  letters").
- The Vietnamese-based spelling writes with Vietnamese letters and tone marks. No sourced
  letter list of it exists yet, so only what Vietnamese spelling cannot write is taken as a
  sign of the 1984 script: a word ending in a tone letter -v, -x or -z, in a consonant and the
  tone letter -c (yietc), or in a vowel and -h (Vietnamese ends words in -ch and -nh only), or
  beginning with mb-, nd-, nq-, nz-, hl-, hm-, hn- or hw-.
"""

from __future__ import annotations

import re
import unicodedata

from fieldapp.i18n.catalog import _
from fieldapp.i18n.pack_languages import script_id, script_name

MIEN_1984, DAO_VN = "mien-1984", "dao-vn"
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_MIEN_FINAL = re.compile(r"(?:[vxz]|[b-df-hj-np-tv-z]c|[aeiouy]h)$")
_MIEN_INITIAL = re.compile(r"^(?:mb|nd|nq|nz|hl|hm|hn|hw)[aeiouy]")


def _non_ascii_letters(text: str) -> list[str]:
    return sorted({ch for ch in unicodedata.normalize("NFC", text)
                   if ch.isalpha() and not ch.isascii()})


def _mien_words(text: str) -> list[str]:
    words = []
    for word in _WORD.findall(text):
        lowered = word.lower()
        if not lowered.isascii() or "$" in word:
            continue
        if _MIEN_FINAL.search(lowered) or _MIEN_INITIAL.search(lowered):
            words.append(word)
    return words


def other_spelling(code: str, text: str) -> str | None:
    """A sentence saying that ``text`` holds letters of the other spelling than pack ``code``'s
    (naming them), or None when it does not (or the pack has no second spelling)."""
    text = re.sub(r"\$\{[^}]*\}", " ", text or "")
    script = script_id(code)
    if script == MIEN_1984:
        letters = _non_ascii_letters(text)
        if letters:
            return _("{letters}: letters of the {other}, not of the {script}; write this entry "
                     "in one spelling only.").format(
                letters=" ".join(letters[:8]), other=script_name(DAO_VN),
                script=script_name(MIEN_1984))
    elif script == DAO_VN:
        words = _mien_words(text)
        if words:
            return _("{words}: spelled as in the {other}, not the {script}; write this entry "
                     "in one spelling only.").format(
                words=", ".join(words[:5]), other=script_name(MIEN_1984),
                script=script_name(DAO_VN))
    return None
