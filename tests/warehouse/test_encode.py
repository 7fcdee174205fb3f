"""History values as the warehouse's jsonb holds them (fieldapp.warehouse.encode), without a
cluster: what orjson writes and what it cannot (NaN, file contents, U+0000, huge integers)."""

import json
import math

import pytest

from fieldapp.warehouse.encode import from_history, history_json

VALUES = ["Nguyễn Văn Đức", "", None, 0, -7, 2 ** 63 - 1, 2 ** 70, 1.5, 1e300, -0.25,
          float("nan"), float("inf"), float("-inf"), b"\x00\xffanh", "a\x00b", True]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_every_value_comes_back_from_its_json(value):
    text = history_json({"f": value, "ten": "Hà Giang"})
    assert "\\u0000" not in text and "\x00" not in text  # jsonb refuses U+0000
    parsed = json.loads(text, parse_constant=lambda name: pytest.fail(name))
    assert parsed["ten"] == "Hà Giang"
    back = from_history(parsed["f"])
    if isinstance(value, float) and math.isnan(value):
        assert isinstance(back, float) and math.isnan(back)
    else:
        assert back == value and type(back) is type(value)
