"""Sync → Devices on the commune's laptop: assign a team member to a registered laptop, and
retire one (both synced changes, fieldapp.core.authority)."""

from __future__ import annotations

from fieldapp.services.sync import identity
from fieldapp.services.workspace import Workspace
from fieldapp.ui.context import AppContext
from fieldapp.ui.screens.sync_devices import DevicesTab
from sync_world import new_commune


def test_assign_and_retire_from_the_devices_tab(qtbot, tmp_path):
    commune = new_commune(tmp_path / "commune.db")
    village = commune.villages.list()[0]["id"]
    member = commune.users.add_user("Nông Văn Một", "member", village_id=village)
    registration = identity.register_device(commune, "Máy Bản Khuông")
    workspace = Workspace(commune, None)
    context = AppContext(workspace)
    tab = DevicesTab(context)
    qtbot.addWidget(tab)
    tab.users = commune.users.list()
    row = next(i for i, r in enumerate(tab.model.rows())
               if r["device"].device == registration.device_id)
    tab.table.setCurrentIndex(tab.model.index(row, 0))
    tab.ask_member = lambda device: (True, member)
    tab.assign_member()
    record = commune.devices.of_device(commune.meta("commune_id"), registration.device_id)
    assert record["user_id"] == member
    tab.table.setCurrentIndex(tab.model.index(row, 0))
    tab.confirm_retire = lambda device: True
    tab.retire_device()
    assert identity.is_retired(commune, registration.device_id)
    retired = next(r for r in tab.model.rows() if r["device"].device == registration.device_id)
    assert retired["device"].retired
    assert tab.model.index(row, len(tab.model.columns) - 1).data() == "retired"
    context.dispose()
