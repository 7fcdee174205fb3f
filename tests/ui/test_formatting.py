"""The UI's integer formatting (Qt) agrees with babel's, in every interface language."""

import pytest

from fieldapp.i18n import catalog
from fieldapp.i18n.formatting import format_number
from fieldapp.ui.formatting import fmt_int


@pytest.mark.parametrize("language", ["vi", "en", "tyz"])
@pytest.mark.parametrize("value", [0, 7, 999, 1000, 2341, 58824, 1234567, -4200])
def test_counts_match_babel(qapp, language, value):
    catalog.set_language(language)
    assert fmt_int(value) == format_number(value)


def test_vietnamese_groups_with_dots(qapp):
    catalog.set_language("vi")
    assert fmt_int(1234567) == "1.234.567"
    assert fmt_int(None) == ""
