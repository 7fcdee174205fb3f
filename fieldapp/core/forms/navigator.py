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
from fieldapp.core.forms.model import Field, Repeat
from fieldapp.core.forms.pages import Page

_HIDDEN_TYPES = ("calculate", "hidden")


@dataclass(frozen=True)
class ReviewItem:
    """A question the review before finalizing lists: ``kind`` is "missing" (required, no
    answer: finalizing waits for it), "invalid" (an answer the form refuses) or "optional"
    (no answer, not required: the person may leave it)."""

    path: str
    page: int
    kind: str
    message: str = ""


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
        self._shown_progress = 0.0
        self._answered = -1

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

    # -- where the person is, in words and numbers ----------------------------------------------
    def progress(self) -> float:
        """How much of the form is answered (0..1), as the progress bar shows it: it never goes
        back while answers are given, though an answer may open new questions (a "yes", a
        member added); it goes back only when an answer is taken away."""
        answered, total = self.instance.progress_counts()
        fraction = answered / total if total else 1.0
        if answered < self._answered:
            self._shown_progress = fraction
        else:
            self._shown_progress = max(self._shown_progress, fraction)
        self._answered = answered
        return self._shown_progress

    def section_position(self) -> tuple[int, int]:
        """(number from 1, count) of the current page's section among the form's top-level
        sections, whether relevant now or not, so the count stays the same while answering."""
        names = [node.name for node in self.instance.form.root.children
                 if not (isinstance(node, Field) and node.type in _HIDDEN_TYPES)]
        current = self.current.section if self.current is not None else None
        number = names.index(current) + 1 if current in names else 1
        return number, len(names)

    def review_items(self) -> list[ReviewItem]:
        """What to look at before finalizing, in page order: required questions without an
        answer, answers the form refuses, and optional questions left blank."""
        items = []
        instance = self.instance
        for number, page in enumerate(self.pages):
            for path in page.paths:
                field = instance.field_at(path)
                if field.type == "note" or instance.is_read_only(path):
                    continue
                message = instance.error_for(path, self.language)
                value = instance.get_value(path)
                if message:
                    items.append(ReviewItem(path, number, "invalid" if value else "missing",
                                            message))
                elif not value:
                    items.append(ReviewItem(path, number, "optional"))
        return items

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
