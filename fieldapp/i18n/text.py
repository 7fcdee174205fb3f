"""Vietnamese text handling: NFC normalisation, accent-insensitive search keys and collation.

Every entry point (widgets, imports, catalogs, forms, the database layer) passes text through
:func:`nfc`, because the Windows Vietnamese keyboard types decomposed tone marks and NFD text
neither compares equal in Python/SQLite nor renders correctly in PDFs.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

# Combining marks that make separate letters of the Vietnamese alphabet (ă â ê ô ơ ư).
_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
# Tone marks in Vietnamese dictionary order: ngang (none), huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

# Primary order of the Vietnamese alphabet. f, j, w and z are not Vietnamese letters but occur in
# the Tày-Nùng orthography and in loanwords; they take their basic-Latin places.
_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n",
    "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]
_LETTER_RANK = {letter: 100 + i for i, letter in enumerate(_ALPHABET)}
# A number ranks by its length first, then its digits, so "Thôn 2" comes before "Thôn 10"
# (villages are often numbered: Thôn 1 ... Thôn 12, Xóm 5). Its length is a rank between the
# digits (10-19) and the letters (100-).
_ASCII_DIGITS = frozenset("0123456789")
_NUMBER = 20
_VOWEL_MARK = {("a", _BREVE): "ă", ("a", _CIRCUMFLEX): "â", ("e", _CIRCUMFLEX): "ê",
               ("o", _CIRCUMFLEX): "ô", ("o", _HORN): "ơ", ("u", _HORN): "ư"}


def nfc(value: Any) -> Any:
    """Return ``value`` in Unicode NFC if it is a string; other values pass through unchanged."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return value


def nfc_all(mapping: dict[str, Any]) -> dict[str, Any]:
    """NFC-normalise every string value (and key) of a mapping, e.g. a row about to be written."""
    return {nfc(k): nfc(v) for k, v in mapping.items()}


def fold(text: str | None) -> str:
    """Accent-insensitive search key: tones and vowel marks removed, đ -> d, casefolded.

    "Nguyễn", its NFD spelling and "NGUYEN" all fold to "nguyen"; "Đặng" folds to "dang".
    Runs of white space collapse to one space.
    """
    if not text:
        return ""
    # A word of marks alone folds to nothing (and leaves no space).
    return " ".join(filter(None, map(_fold_word, text.split())))


@lru_cache(maxsize=16384)  # names are made of few words (see _word_levels)
def _fold_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.replace("đ", "d").replace("Đ", "D").casefold().split())


def _letters(text: str):
    """Yield (letter, tone, is_upper) for each base character of ``text`` (NFD-analysed)."""
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        lower = base.lower()
        tone = 0
        for mark in marks:
            if mark in _TONES:
                tone = _TONES[mark]
            elif (lower, mark) in _VOWEL_MARK:
                lower = _VOWEL_MARK[(lower, mark)]
        if lower == "đ" or base in "đĐ":
            lower = "đ"
        yield lower, tone, base != base.lower()


# Memoised: names repeat a great deal (a commune has a few dozen family names and a few hundred
# given names), and computing a key letter by letter costs ~15 µs a word.
@lru_cache(maxsize=8192)
def sort_key(text: str | None) -> tuple:
    """Collation key for Vietnamese alphabetical order.

    Letters compare first (a ă â b c d đ e ê g h i ... u ư v x y), then tones
    (ngang < huyền < hỏi < ngã < sắc < nặng), then case. White space ranks below every letter so
    that "An" < "Anh" < "Ăn" < "Ân", "Dương" < "Đặng" and "Ung" < "Ưng".
    """
    if not text:
        return ((), (), ())
    primary, secondary, tertiary = [], [], []
    digits = 0  # ASCII digits of the number being read
    for letter, tone, upper in _letters(" ".join(text.split())):
        if letter in _ASCII_DIGITS:
            if digits == 0 or (digits == 1 and primary[-1] == 10):  # a leading zero
                if digits == 1:
                    del primary[-2:], secondary[-2:], tertiary[-2:]
                primary.append(0)  # the number's length, set when it ends
                secondary.append(0)
                tertiary.append(0)
                digits = 0
            primary.append(10 + int(letter))
            digits += 1
            secondary.append(tone)
            tertiary.append(0)
            continue
        if digits:
            primary[-digits - 1] = _NUMBER + digits
            digits = 0
        if letter.isspace():
            primary.append(0)
        elif letter in _LETTER_RANK:
            primary.append(_LETTER_RANK[letter])
        elif letter.isdigit():
            primary.append(50)
        else:
            primary.append(1000 + ord(letter))
        secondary.append(tone)
        tertiary.append(1 if upper else 0)
    if digits:
        primary[-digits - 1] = _NUMBER + digits
    return (tuple(primary), tuple(secondary), tuple(tertiary))


def name_sort_key(full_name: str | None) -> tuple:
    """Key for Vietnamese personal names: by given name (last word), then the full name.

    Vietnamese lists (class registers, household lists) are ordered by the given name; the
    family name only breaks ties.
    """
    words = (full_name or "").split()
    given = words[-1] if words else ""
    return (sort_key(given), sort_key(full_name))


def collate(a: str, b: str) -> int:
    """Comparison function for ``sqlite3.Connection.create_collation('vi', collate)``."""
    ka, kb = sort_key(a), sort_key(b)
    return (ka > kb) - (ka < kb)


def _key_text(key: tuple) -> str:
    return "\x01".join(_level_texts(*key))


def _level_texts(primary, secondary, tertiary) -> tuple[str, str, str]:
    """The three levels of a sort key, each as a string in binary order."""
    chars = []
    for rank in primary:
        chars.append(chr(0x100 + rank) if rank < 1000 else chr(0x10000 + min(rank - 1000, 0xEFFFF)))
    return ("".join(chars), "".join(chr(0x30 + t) for t in secondary),
            "".join(chr(0x30 + c) for c in tertiary))


# A word's three levels, memoised: a commune's names are made of a few thousand syllables, so
# the keys of a province's persons (an import writes one per person) are mostly joins of
# cached words. The white space between words ranks 0 with no tone and no case.
@lru_cache(maxsize=16384)
def _word_levels(word: str) -> tuple[str, str, str]:
    return _level_texts(*sort_key(word))


_SPACE_LEVELS = (chr(0x100), chr(0x30), chr(0x30))


def _words_key_text(words: list[str]) -> str:
    """:func:`_key_text` of ``" ".join(words)`` from the words' memoised levels."""
    if len(words) == 1:
        return "\x01".join(_word_levels(words[0]))
    # Level by level (zip: the words' first levels, their second, their third), each joined
    # by the space of that level.
    return "\x01".join(map(str.join, _SPACE_LEVELS, zip(*map(_word_levels, words))))


def sort_text(text: str | None) -> str:
    """:func:`sort_key` as a string whose plain binary order (SQLite BINARY, Python ``<``) is
    Vietnamese alphabetical order, so the database can keep an index on it."""
    words = text.split() if text else []
    return _words_key_text(words) if words else "\x01\x01"


def name_sort_text(full_name: str | None) -> str:
    """:func:`name_sort_key` as a binary-ordered string (given name first, then full name)."""
    words = full_name.split() if full_name else []
    if not words:
        return "\x01\x01\x00\x01\x01"
    return _words_key_text(words[-1:]) + "\x00" + _words_key_text(words)
