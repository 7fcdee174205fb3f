"""First-run setup of a laptop: its commune and villages, the first team member, the language."""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import INTERFACE_LANGUAGES, _
from fieldapp.i18n.text import fold, nfc
from fieldapp.services import pins
from fieldapp.services.pins import hash_pin
from fieldapp.storage.store import ROLES, Store


@dataclass
class SetupRequest:
    commune_name: str
    province: str
    villages: list[str]
    user_name: str
    role: str
    pin: str
    language: str = "vi"
    legacy_names: dict[str, list[str]] = field(default_factory=dict)


def validate(request: SetupRequest) -> list[str]:
    """Problems with a setup request, as messages for the user (empty when valid)."""
    problems = []
    if not nfc(request.commune_name).strip():
        problems.append(_("Enter the commune's name."))
    names = [nfc(v).strip() for v in request.villages if nfc(v).strip()]
    if not names:
        problems.append(_("Enter at least one village (thôn, bản)."))
    folded = [fold(n) for n in names]
    if len(set(folded)) != len(folded):
        problems.append(_("Two villages have the same name."))
    if not nfc(request.user_name).strip():
        problems.append(_("Enter your name."))
    if request.role not in ROLES:
        problems.append(_("Choose a role."))
    pin_problem = pins.pin_problem(request.pin)
    if pin_problem:
        problems.append(pin_problem)
    if request.language not in INTERFACE_LANGUAGES:
        problems.append(_("Choose an interface language."))
    return problems


def run_setup(store: Store, request: SetupRequest) -> str:
    """Create the commune, its villages and the first user in one transaction; return the user id."""
    problems = validate(request)
    if problems:
        raise UserError(" ".join(problems))
    if store.is_set_up:
        raise UserError(_("This database is already set up."))
    pin_hash = hash_pin(request.pin)
    with store.transaction():
        commune_id = store.communes.add_commune(request.commune_name.strip(),
                                                request.province.strip())
        for position, name in enumerate(v.strip() for v in request.villages if v.strip()):
            store.villages.add_village(commune_id, name, position=position,
                                       legacy_names=request.legacy_names.get(name, []))
        user_id = store.users.add_user(request.user_name.strip(), request.role,
                                       pin_hash=pin_hash, language=request.language)
        store.set_meta("commune_id", commune_id)
        store.set_meta("current_user_id", user_id)  # the member who last signed in here
        store.settings.set("language", request.language)
        store.set_meta("setup_done", "1")
    return user_id
