"""Form model helpers: language names and codes, text fallback."""

from fieldapp.core.forms.model import language_code, pick_text


def test_language_code_from_xlsform_language_names():
    assert language_code("Vietnamese (vi)") == "vi"
    assert language_code("Tày (tyz)") == "tyz"
    assert language_code("English (en-GB)") == "en-GB"
    assert language_code("default") == "default"


def test_pick_text_falls_back_to_default_then_any():
    texts = {"Vietnamese (vi)": "Tên", "English (en)": "Name"}
    assert pick_text(texts, "English (en)", "Vietnamese (vi)") == "Name"
    assert pick_text(texts, "Tày (tyz)", "Vietnamese (vi)") == "Tên"
    assert pick_text({"English (en)": "Name"}, "Tày (tyz)", "Vietnamese (vi)") == "Name"
    assert pick_text({}, "English (en)") == ""
