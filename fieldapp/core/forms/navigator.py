"""Moving through a form page by page, as a person filling it in does (no Qt).

:class:`PageNavigator` keeps the page list of a :class:`~fieldapp.core.forms.FormInstance` and
the current page. The list changes while answers change relevance and rows are added or
removed; :meth:`PageNavigator.refresh` re-reads it and stays on the current page (found by its
key) while it exists. The form view drives one; so can any other front end or a test.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldapp.core.forms.answers import node_name, split_row_path
from fieldapp.core.forms.instance import FormInstance
from fieldapp.core.forms.model import Repeat
from fieldapp.core.forms.pages import Page


@dataclass(frozen=True)
class RowPosition:
    """The repeat row a page belongs to: the repeat's path, the row's index, and whether the
    person adds and removes rows (False when the rows follow a repeat_count)."""

    container: str
    index: int
    user_rows: bool

    @property
    def row_path(self) -> str:
        return f"{self.container}[{self.index}]"


class PageNavigator:
    """The pages of ``instance`` shown in ``language`` (None: the form's default), and where
    the person is among them."""

    def __init__(self, instance: FormInstance, language: str | None = None):
        self.instance = instance
        self.language = language
        self.pages: list[Page] = []
        self.index = 0

    @property
    def current(self) -> Page | None:
        return self.pages[self.index] if self.pages else None

    # -- the page list --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the page list; keep the current page (by key) when it still exists."""
        key = self.pages[self.index].key if self.pages else None
        self.reload()
        keys = [p.key for p in self.pages]
        if key in keys:
            self.index = keys.index(key)
        else:
            self.index = max(0, min(self.index, len(self.pages) - 1))

    def reload(self) -> None:
        """Re-read the page list, leaving the index as it is (see :meth:`go`)."""
        self.pages = self.instance.pages(self.language)

    def go(self, index: int) -> int:
        """Make page ``index`` (kept within the list) the current one; return its index."""
        self.index = max(0, min(index, len(self.pages) - 1))
        return self.index

    @property
    def has_previous(self) -> bool:
        return self.index > 0

    @property
    def has_next(self) -> bool:
        return self.index < len(self.pages) - 1

    # -- finding pages --------------------------------------------------------------------------
    def index_of_key(self, key: str) -> int | None:
        return next((i for i, page in enumerate(self.pages) if page.key == key), None)

    def index_of_path(self, path: str) -> int | None:
        """The page that shows the question at ``path``."""
        return next((i for i, page in enumerate(self.pages) if path in page.paths), None)

    def index_of_row(self, row_path: str) -> int | None:
        """The first page of the repeat row ``row_path`` (a page of a row nested in it too)."""
        return next((i for i, page in enumerate(self.pages)
                     if page.repeat_path == row_path
                     or (page.repeat_path or "").startswith(row_path + "/")), None)

    def index_of_add_page(self, container: str) -> int | None:
        """The "add a row" page after the rows of the repeat at ``container``."""
        return next((i for i, page in enumerate(self.pages) if page.add_row == container), None)

    def first_page_of_section(self, name: str) -> int | None:
        return next((s.first_page for s in self.instance.sections(self.language)
                     if s.name == name), None)

    def first_problem(self) -> int | None:
        """The page of the first missing or invalid answer of the whole form, if any."""
        errors = self.instance.errors(None, self.language)
        return self.index_of_path(errors[0][0]) if errors else None

    # -- repeat rows ----------------------------------------------------------------------------
    def row_position(self) -> RowPosition | None:
        """The repeat row of the current page (None outside a repeat)."""
        page = self.current
        if page is None or not page.repeat_path:
            return None
        container, index = split_row_path(page.repeat_path)
        node = self.instance.form.nodes.get(node_name(container))
        return RowPosition(container, index, isinstance(node, Repeat) and node.repeat_count is None)

    def row_title(self, row_path: str) -> str:
        """The engine's title of a row ("2. Hoàng Văn Sơn, 34"); '' when no page shows it."""
        return next((page.row_title for page in self.pages
                     if page.repeat_path == row_path and page.row_title), "")

    def add_row(self, container: str) -> str:
        """Append a row to the repeat at ``container`` and return the new row's path (the
        caller goes there with :meth:`index_of_row` after :meth:`refresh`). Raises PathError
        or ValueError as :meth:`FormInstance.add_repeat_row` does."""
        index = self.instance.add_repeat_row(container)
        return f"{container}[{index}]"

    def remove_row(self, container: str, index: int) -> int:
        """Remove row ``index`` of the repeat at ``container`` and return the page to show:
        the repeat's "add a row" page, where the remaining rows are listed."""
        self.instance.remove_repeat_row(container, index)
        self.reload()
        add_page = self.index_of_add_page(container)
        return self.go(add_page if add_page is not None else self.index)
