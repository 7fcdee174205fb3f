"""Name similarity (fieldapp.services.sync.review.similarity): 1 - edit distance / longer
length of the folded names, checked against the textbook distance on random names."""

import random

import pytest

from fieldapp.i18n.text import fold
from fieldapp.services.sync.review import similarity


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
