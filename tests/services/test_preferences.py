from fieldapp.services.preferences import PackPreference, pack_preference, remember_pack


def test_pack_choice_is_remembered_per_user(setup_store):
    assert pack_preference(setup_store) == PackPreference(None, "bilingual")
    remember_pack(setup_store, "tyz", "pack_only")
    assert pack_preference(setup_store) == PackPreference("tyz", "pack_only")
    other = setup_store.users.add_user("Lương Văn Tú", "member")
    assert pack_preference(setup_store, other) == PackPreference(None, "bilingual")
    remember_pack(setup_store, "ium", user_id=other)
    assert pack_preference(setup_store, other).pack == "ium"
    assert pack_preference(setup_store).pack == "tyz"


def test_unknown_mode_refused(setup_store):
    import pytest

    with pytest.raises(ValueError):
        remember_pack(setup_store, "nut", "sideways")
