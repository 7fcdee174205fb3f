"""The form view's work on roster rows: the page after a roster's rows, the row bar, adding and
removing a row (a mixin of :class:`~fieldapp.ui.forms.view.FormView`)."""

from __future__ import annotations

from fieldapp.core.forms import Page, PathError
from fieldapp.i18n.catalog import _
from fieldapp.ui.forms.roster import AddRowPage


class RowActions:
    """Expects the view's ``instance``, ``nav``, ``labels``, ``page``, ``fields_box``,
    ``row_bar``, ``current_page`` and its page and banner methods."""

    def _build_add_row_page(self, page: Page) -> None:
        """The page after a roster's rows: the rows entered so far, and "add another"."""
        container = page.add_row or ""
        name = self.labels.repeat_name(container)
        try:
            count = self.instance.repeat_rows(container)
        except PathError:
            count = 0
        rows = []
        for i in range(count):
            row_path = f"{container}[{i}]"
            rows.append((row_path, self.labels.row_title_for(
                row_path, self.nav.row_title(row_path) or f"{i + 1}.")))
        box = AddRowPage(self.labels.page_title(page) if page.title else name, name, rows,
                         self.page)
        box.open_row.connect(self.go_to_row)
        box.add_clicked.connect(lambda: self.add_row(container))
        self._row_buttons = box.row_buttons
        self.add_row_here_button = box.add_button
        self.fields_box.addWidget(box)
        box.show()
        self._page_widgets.append(box)

    def _update_row_bar(self) -> None:
        row = self.nav.row_position()
        self.row_bar.setVisible(row is not None)
        if row is not None:
            self.row_bar.show_row(self.labels.row_title(self.current_page),
                                  self.labels.repeat_name(row.container), row.user_rows)

    def add_row(self, container: str) -> None:
        """Append a row to the repeat at ``container`` and open its first page."""
        try:
            row_path = self.nav.add_row(container)
        except (PathError, ValueError) as exc:
            self._show_banner(str(exc), "error")
            return
        self.modified = True
        self.go_to_row(row_path)

    def _on_add_row(self) -> None:
        row = self.nav.row_position()
        if row is not None:
            self.add_row(row.container)

    def _on_remove_row(self) -> None:
        row = self.nav.row_position()
        if row is not None:
            self.row_bar.ask_remove(
                self.labels.row_title(self.current_page).primary or f"{row.index + 1}.")

    def _on_confirm_remove(self) -> None:
        row = self.nav.row_position()
        if row is None:
            return
        try:
            index = self.nav.remove_row(row.container, row.index)
        except (PathError, ValueError) as exc:
            self._show_banner(str(exc), "error")
            return
        self.modified = True
        self._show_page(index)  # the roster's "add" page, where the remaining rows are listed
        self._show_banner(_("Entry removed."), "info")
