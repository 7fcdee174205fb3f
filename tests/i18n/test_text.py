import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from fieldapp.i18n.text import fold, name_sort_key, name_sort_text, nfc, sort_key, sort_text


def nfd(s):
    return unicodedata.normalize("NFD", s)


def test_nfc_makes_decomposed_equal():
    assert nfd("Nguyễn") != "Nguyễn"
    assert nfc(nfd("Nguyễn")) == "Nguyễn"
    assert nfc(None) is None and nfc(3) == 3


def test_fold_removes_tones_marks_and_d():
    assert fold("Đặng") == "dang"
    assert fold("ĐẶNG") == "dang"
    assert fold(nfd("Nguyễn")) == "nguyen"
    assert fold("Nguyễn") == fold("NGUYEN") == fold(nfd("NGUYỄN"))
    assert fold("  Lương   Thị  ") == "luong thi"
    assert fold("") == "" and fold(None) == ""


def test_vietnamese_order():
    words = ["Ưng", "Ung", "Đặng", "Dương", "Ân", "Ăn", "Anh", "An"]
    assert sorted(words, key=sort_key) == ["An", "Anh", "Ăn", "Ân", "Dương", "Đặng", "Ung", "Ưng"]
    tones = ["Bạ", "Bá", "Bã", "Bả", "Bà", "Ba"]
    assert sorted(tones, key=sort_key) == ["Ba", "Bà", "Bả", "Bã", "Bá", "Bạ"]
    assert sorted(["ơ", "o", "ô"], key=sort_key) == ["o", "ô", "ơ"]
    assert sorted(["Y", "Z", "Ă"], key=sort_key) == ["Ă", "Y", "Z"]


def test_sort_ignores_normalisation_form():
    assert sort_key(nfd("Đặng Thị Ưng")) == sort_key("Đặng Thị Ưng")


def test_person_names_sort_by_given_name_then_family():
    names = ["Nguyễn Văn Bình", "Hoàng Thị An", "Lý Văn An", "Đặng Văn Ân"]
    assert sorted(names, key=name_sort_key) == [
        "Hoàng Thị An", "Lý Văn An", "Đặng Văn Ân", "Nguyễn Văn Bình"]


vietnamese_words = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậ ÂĐƯ", max_size=8)


@given(vietnamese_words, vietnamese_words)
def test_sort_text_orders_like_sort_key(a, b):
    assert (sort_text(a) < sort_text(b)) == (sort_key(a) < sort_key(b))


@given(vietnamese_words, vietnamese_words)
def test_name_sort_text_orders_like_name_sort_key(a, b):
    assert (name_sort_text(a) < name_sort_text(b)) == (name_sort_key(a) < name_sort_key(b))


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
       | st.lists(st.sampled_from(["Hoàng", "Đặng", "ư", "a\u0301", " ", "\u00a0", "\t", "Z",
                                   "9", "\u0301", "ǂ"]), max_size=8).map("".join))
def test_sort_texts_are_the_keys_as_text(text):
    """The word-by-word (memoised) keys equal the keys computed from the whole text."""
    from fieldapp.i18n.text import _key_text

    assert sort_text(text) == _key_text(sort_key(text))
    given_key, full_key = name_sort_key(text)
    assert name_sort_text(text) == _key_text(given_key) + "\x00" + _key_text(full_key)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
       | st.lists(st.sampled_from(["Đặng", "a", " ", "\u0301", "\u2000", "ß"]),
                  max_size=8).map("".join))
def test_fold_word_by_word_is_fold_of_the_whole(text):
    import unicodedata as ud

    whole = "".join(ch for ch in ud.normalize("NFD", text) if not ud.combining(ch))
    assert fold(text) == " ".join(whole.replace("đ", "d").replace("Đ", "D").casefold().split())


def test_numbered_villages_sort_by_their_number():
    """Villages are often numbered (Thôn 1 ... Thôn 12, Xóm 5): "Thôn 10" came before
    "Thôn 2" when digits compared one by one."""
    names = ["Thôn 10", "Thôn 2", "Thôn 1", "Xóm 100", "Thôn 11", "Xóm 99", "Thôn 9", "Bản Nà"]
    expected = ["Bản Nà", "Thôn 1", "Thôn 2", "Thôn 9", "Thôn 10", "Thôn 11", "Xóm 99",
                "Xóm 100"]
    assert sorted(names, key=sort_key) == expected
    assert sorted(names, key=sort_text) == expected
    assert sort_key("Thôn 007") == sort_key("Thôn 7")  # leading zeros do not count
    assert sorted(["Thôn 1A", "Thôn 1", "Thôn 12"], key=sort_key) == ["Thôn 1", "Thôn 1A",
                                                                     "Thôn 12"]
