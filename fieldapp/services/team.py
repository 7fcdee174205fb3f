"""The commune's team on this laptop: commune staff add and retire members, change roles and
villages, and reset PINs (each an audit event). A PIN set here signs in on this laptop."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import nfc
from fieldapp.services import pins
from fieldapp.services.access import MEMBER, STAFF
from fieldapp.storage import keyring as kr
from fieldapp.storage.store import ROLES

if TYPE_CHECKING:
    from fieldapp.services.workspace import Workspace


class Team:
    def __init__(self, workspace: "Workspace"):
        self.workspace = workspace
        self.store = workspace.store

    def members(self) -> list[dict[str, Any]]:
        """Active team members, with whether they can sign in on this laptop."""
        self.workspace.access.require_signed_in()
        ring = kr.Keyring.for_database(self.workspace.path) \
            if self.store.encrypted and self.workspace.path else None
        rows = self.store.users.list()
        for row in rows:
            row["signs_in_here"] = ring.has_user(row["id"]) if ring else bool(row["pin_hash"])
            row.pop("pin_hash", None)
        return rows

    def _check(self, role: str, village_id: str | None) -> None:
        if role not in ROLES:
            raise UserError(_("Choose a role."))
        if role == MEMBER and not village_id:
            raise UserError(_("A team member works on a village: choose one."))

    def add(self, name: str, role: str, village_id: str | None, pin: str) -> str:
        self.workspace.access.require_staff()
        name = " ".join(nfc(name or "").split())
        if not name:
            raise UserError(_("Enter the member's name."))
        self._check(role, village_id)
        with self.store.transaction():
            user_id = self.store.users.add_user(name, role, village_id=village_id)
            pins.set_pin(self.workspace, self.store.users.get(user_id), pin)
            self.workspace.audit.record("user_added", object_table="users", object_id=user_id,
                                        detail={"role": role})
        return user_id

    def change_role(self, user_id: str, role: str, village_id: str | None) -> None:
        self.workspace.access.require_staff()
        self._check(role, village_id)
        user = self._user(user_id)
        if user["role"] == STAFF and role != STAFF:
            self._keep_one_staff(user_id)
        with self.store.transaction():
            self.store.users.update(user_id, {"role": role, "village_id": village_id})
            self.workspace.audit.record("role_changed", object_table="users", object_id=user_id,
                                        detail={"from": user["role"], "to": role})
        self._keyring_update(user_id, role=role)

    def retire(self, user_id: str) -> None:
        self.workspace.access.require_staff()
        user = self._user(user_id)
        if user["role"] == STAFF:
            self._keep_one_staff(user_id)
        with self.store.transaction():
            self.store.users.tombstone(user_id, "retired")
            self.workspace.audit.record("user_retired", object_table="users", object_id=user_id)
        ring = kr.Keyring.for_database(self.workspace.path) if self.store.encrypted else None
        if ring is not None:
            ring.remove_user(user_id)

    def reset_pin(self, user_id: str, pin: str) -> None:
        self.workspace.access.require_staff()
        user = self._user(user_id)
        with self.store.transaction():
            pins.set_pin(self.workspace, user, pin)
            self.workspace.audit.record("pin_reset", object_table="users", object_id=user_id)

    def _user(self, user_id: str) -> dict[str, Any]:
        user = self.store.users.get(user_id)
        if user is None or user["deleted"]:
            raise UserError(_("There is no team member {id}.").format(id=user_id))
        return user

    def _keep_one_staff(self, user_id: str) -> None:
        others = [u for u in self.store.users.list() if u["role"] == STAFF and u["id"] != user_id]
        if not others:
            raise UserError(_("The commune needs at least one commune-staff member."))

    def _keyring_update(self, user_id: str, **values: Any) -> None:
        ring = kr.Keyring.for_database(self.workspace.path) if self.store.encrypted else None
        if ring is not None and ring.has_user(user_id):
            ring.update_user(user_id, **values)
