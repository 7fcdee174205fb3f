"""The strict reading of a package line (fieldapp.sync.codec): each malformed item is refused,
good lines are read whole, text comes out composed."""

import json
import unicodedata

import pytest

from fieldapp.core.changes import Change
from fieldapp.core.clock import Stamp
from fieldapp.sync.codec import MAX_FIELD, EntryError, decode_group, encode

STAMP = "1764300000000-0001-dev-a"
PREV = "1764200000000-0000-dev-b"


def line(items, **head) -> bytes:
    data = {"t": "persons", "r": "p-1", "s": STAMP, "c": items, **head}
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("items, why", [
    ([["full_name", True]], "a value must be text"),
    ([["full_name", [1]]], "a value must be text"),
    ([["full_name", {"x": 1}]], "a value must be text"),
    ([["full_name", float("nan")]], "not JSON"),  # NaN is no JSON (json.dumps writes it)
    ([["full_name", {"b64": "@@"}]], "base64"),
    ([[1, "x"]], "a field must be text"),
    ([["", "x"]], "a field must be text"),
    ([["x" * (MAX_FIELD + 1), "x"]], "a field must be text"),
    ([["full_name"]], "an item of c"),
    ([["full_name", "x", None, [], 5]], "an item of c"),
    (["full_name"], "an item of c"),
    ([["full_name", "x", "not a stamp"]], "prev is not a stamp"),
    ([["full_name", "x", PREV, "x"]], "merges must be a list"),
    ([["full_name", "x", PREV, ["bad"]]], "merges is not a stamp"),
    ([], "non-empty list"),
])
def test_each_malformed_item_is_refused(items, why):
    with pytest.raises(EntryError, match=why):
        decode_group(line(items))


def test_a_creation_line_is_read_whole_and_composed():
    decomposed = unicodedata.normalize("NFD", "Hoàng Thị Ánh")
    group = decode_group(line([["full_name", decomposed], ["birth_year", 1961],
                               ["phone", None], [unicodedata.normalize("NFD", "ghi_chú"), "a"],
                               ["photo", {"b64": "AAE="}]]))
    assert group.creation == {"full_name": "Hoàng Thị Ánh", "birth_year": 1961, "phone": None,
                              "ghi_chú": "a", "photo": b"\x00\x01"}
    assert group.stamp == Stamp.parse(STAMP)
    assert [i[2] for i in group.items] == [None] * 5


def test_escaped_text_comes_out_composed_too():
    """A line of plain first values, its decomposed text written as \\u escapes (ASCII)."""
    decomposed = unicodedata.normalize("NFD", "Hoàng Thị Ánh")
    raw = json.dumps({"t": "persons", "r": "p-1", "s": STAMP,
                      "c": [["full_name", decomposed], [decomposed, 1]]}).encode("ascii")
    group = decode_group(raw)
    assert group.creation == {"full_name": "Hoàng Thị Ánh", "Hoàng Thị Ánh": 1}
    assert group.items[0] == ("full_name", "Hoàng Thị Ánh", None, ())


def test_an_edit_or_a_repeated_field_is_not_a_creation():
    assert decode_group(line([["full_name", "A"], ["sex", "f", PREV]])).creation is None
    assert decode_group(line([["full_name", "A"], ["full_name", "B"]])).creation is None
    merged = decode_group(line([["full_name", "A", PREV, [PREV]]]))
    assert merged.creation is None and merged.items[0][3] == (Stamp.parse(PREV),)


def test_encode_then_decode_gives_the_changes_back():
    stamp, prev = Stamp.parse(STAMP), Stamp.parse(PREV)
    changes = [Change("persons", "p-1", "full_name", "Đặng Văn Sơn", stamp),
               Change("persons", "p-1", "sex", "male", stamp, prev),
               Change("persons", "p-1", "phone", None, stamp, prev, (prev,))]
    [raw] = list(encode(changes))
    assert decode_group(raw.rstrip(b"\n")).changes() == changes


def test_escaped_decomposed_text_is_composed():
    raw = b'{"t":"persons","r":"p-1","s":"' + STAMP.encode() + b'","c":[["full_name","Hoa\\u0300ng"]]}'
    assert decode_group(raw).creation == {"full_name": "Hoàng"}


_LINES = [  # first values of every shape the whole-line pass takes or hands over
    [["full_name", "Nguyễn Văn An"], ["birth_year", 1980], ["phone", None], ["w", 1.5]],
    [["full_name", unicodedata.normalize("NFD", "Đặng Thị Lài")], ["note", "ổn"]],
    [["full_name", "An"], ["a", unicodedata.normalize("NFD", "é")], ["b", "é"]],
    [[unicodedata.normalize("NFD", "tên"), "x"], ["tên2", "y"]],  # fields not ASCII
    [["full_name", "a"], ["full_name", "b"]],  # a repeated field: no creation
    [["photo", {"b64": "AAEC"}], ["full_name", "x"]],
    [["full_name", "x", PREV]],
    [["full_name", "x"], ["deleted", 1, None, [PREV]]],
    [["answers/q", "1"], ["answers/r@k", 0], ["answers/r@k/n", "Bế Văn Tâm"]],
    [["full_name", True]], [["full_name", [1]]], [[1, "x"]], [["", "x"]], ["ab"],
    [[["full_name"], "x"]], [[{"f": 1}, "x"]], [[None, "x"], ["a", "b"]],
    [["x" * (MAX_FIELD + 1), "x"]], [["full_name", "x", "not a stamp"]],
]


@pytest.mark.parametrize("items", _LINES)
def test_the_whole_line_pass_reads_what_the_item_by_item_one_does(items, monkeypatch):
    """The fast path of first values (checked by whole-line passes) gives the same group, or
    the same refusal, as the item-by-item reading it stands in for."""
    import fieldapp.sync.codec as codec

    def read():
        try:
            group = decode_group(line(items))
        except EntryError as exc:
            return str(exc)
        # Values and their types (1 and 1.0, True and 1 compare equal).
        return (group, [tuple(map(type, i)) for i in group.items], group.size,
                group.creation and {k: type(v) for k, v in group.creation.items()})

    fast = read()
    monkeypatch.setattr(codec, "_first_values", lambda raw_items: None)
    assert fast == read()


def test_a_group_of_first_values_makes_its_items_when_asked():
    group = decode_group(line([["full_name", "An"], ["birth_year", 1980]]))
    assert group.size == 2
    assert group.items == (("full_name", "An", None, ()), ("birth_year", 1980, None, ()))
    assert [c.field for c in group.changes()] == ["full_name", "birth_year"]
