"""Name similarity (fieldapp.services.sync.review.similarity): 1 - edit distance / longer
length of the folded names, checked against the textbook distance on random names."""

import random

import pytest

from fieldapp.i18n.text import fold
from fieldapp.services.sync.review import (
    MEMBER_OVERLAP, NAME_SIMILARITY, _overlap, members_of, similarity)


def _distance(a: str, b: str) -> int:
    """Levenshtein distance, the plain recurrence over the whole table."""
    table = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1,
                              table[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
    return table[-1][-1]


@pytest.mark.parametrize("seed", range(4))
def test_similarity_is_one_minus_the_edit_distance_of_the_folded_names(seed):
    rng = random.Random(seed)
    letters = "aăâbđeênguyễnthịvăn "
    for _ in range(500):
        a = "".join(rng.choice(letters) for _ in range(rng.randint(1, 14)))
        b = "".join(rng.choice(letters) for _ in range(rng.randint(1, 14)))
        fa, fb = fold(a), fold(b)
        if not fa or not fb or fa == fb:
            continue
        longer = max(len(fa), len(fb))
        if abs(len(fa) - len(fb)) > 0.0 * longer:  # threshold 1.0: the bound, not computed
            assert similarity(a, b, 1.0) == 1 - abs(len(fa) - len(fb)) / longer
        assert similarity(a, b, 0.0) == 1 - _distance(fa, fb) / longer


def test_alike_names():
    assert similarity("Nguyễn Văn An", "NGUYEN VAN AN") == 1.0
    assert similarity("Nguyễn Văn An", "Nguyễn Văn Ân") == 1.0  # accents folded
    assert similarity("Hoàng Thị Mai", "Hoàng Thị Mại") == 1.0
    assert similarity("Nguyen Van An", "Nguyen Van Anh") == pytest.approx(1 - 1 / 14)


def _old_overlap(a: set, b: set) -> int | None:
    """The member test as it was before the shortcut: count, then compare."""
    names_b: dict = {}
    for name, year in b:
        names_b.setdefault(name, []).append(year)
    shared = sum(1 for name, year in a if names_b.get(name) and any(
        year is None or other is None or abs(year - other) <= 1 for other in names_b[name]))
    smaller = min(len(a), len(b))
    if smaller > 1 and shared / smaller < MEMBER_OVERLAP:
        return None
    return shared


@pytest.mark.parametrize("seed", range(4))
def test_member_overlap_decides_as_the_full_count(seed):
    """Households that share no member name are set aside without counting: the outcome is
    that of counting every pair (random households, in both directions)."""
    rng = random.Random(seed)
    names = ["nguyen van an", "le thi mai", "hoang van nam", "dang thi lai", "lo van phu"]
    years = [None, 1950, 1951, 1952, 1980, 2001]

    def household() -> set:
        return {(rng.choice(names), rng.choice(years)) for _ in range(rng.randint(0, 6))}

    decided = set()
    for _ in range(2000):
        a, b = household(), household()
        for first, second in ((a, b), (b, a)):
            got = _overlap(members_of(first), members_of(second))
            assert got == _old_overlap(first, second)
            decided.add(got is None)
    assert decided == {True, False}  # both outcomes were met


@pytest.mark.parametrize("threshold", [0.5, 0.7, NAME_SIMILARITY, 0.95])
def test_a_threshold_gives_the_exact_score_at_or_above_it_and_a_bound_below(threshold):
    """Scoring stops once the distance is past the threshold: a pair at or above it gets its
    exact score, a pair below it a score that is also below it (random names)."""
    rng = random.Random(int(threshold * 100))
    letters = "aăâbđeênguyễnthịvăn "
    below = above = 0
    for _ in range(3000):
        a = "".join(rng.choice(letters) for _ in range(rng.randint(1, 14)))
        b = a if rng.random() < 0.5 else ""
        b = "".join(c if rng.random() < 0.85 else rng.choice(letters) for c in b) or "".join(
            rng.choice(letters) for _ in range(rng.randint(1, 14)))
        exact = similarity(a, b, 0.0)
        got = similarity(a, b, threshold)
        if exact >= threshold:
            assert got == exact
            above += 1
        else:
            assert exact <= got < threshold
            below += 1
    assert above > 100 and below > 100
