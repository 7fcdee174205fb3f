"""A form's languages named as a language menu names them: in their own words where CLDR
knows the code, else as the form writes them (the built app ships CLDR data for vi and en
only, so "French (fr)" shows as "French" there)."""

from __future__ import annotations

import pytest

from fieldapp.i18n.languages import display_name


@pytest.mark.parametrize("language, shown", [
    ("Vietnamese (vi)", "Tiếng Việt"), ("English (en)", "English"), ("Tày (tyz)", "Tày"),
    ("swahili", "swahili"), ("Zz language (zz)", "Zz language"), ("default", "default")])
def test_display_name(language, shown):
    assert display_name(language) == shown


def test_a_code_without_locale_data_falls_back_to_the_forms_name(monkeypatch):
    import babel.localedata

    monkeypatch.setattr(babel.localedata, "exists", lambda name: name in ("root", "vi", "en"))
    assert display_name("French (fr)") == "French"
