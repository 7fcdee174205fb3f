"""Pages of a form instance: what to show now, one question or field-list group per page.

Repeats are expanded per row, with an "add a row" page after a user-driven repeat; questions,
groups and rows that are not relevant are left out. :class:`Section` is a jump target.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldapp.core.forms.answers import make_path
from fieldapp.core.forms.evaluation import Evaluation
from fieldapp.core.forms.model import Field, Group, Node, Repeat, strip_refs

_HIDDEN_TYPES = ("calculate", "hidden")


@dataclass(frozen=True)
class Page:
    """One screen of the form.

    ``paths`` are the fields shown (one for a plain question, several for a field-list group).
    ``title`` is the group/row title (empty for a lone question: its label is the title).
    For pages inside a repeat row, ``repeat_path`` is that row's path (``"roster[1]"``) and
    ``row_title`` the row's title, e.g. "2. Hoàng Văn Sơn, 34".
    """

    key: str
    section: str
    paths: tuple[str, ...]
    title: str = ""
    repeat_path: str | None = None
    row_title: str = ""
    add_row: str | None = None
    """Set (to the repeat's path) on the page after a user-driven repeat's rows, where the UI
    offers "add a row"; such a page has no paths."""
    group_title: str = ""
    """Label of the innermost enclosing (non field-list) group, as a breadcrumb above a
    question that is not on a field-list page; empty at top level."""


@dataclass(frozen=True)
class Section:
    """A jump target: a top-level group, repeat or question, and the index of its first page."""

    name: str
    title: str
    first_page: int


class Pages(Evaluation):
    """The page list and the sections of the form (a mixin of FormInstance)."""

    def pages(self, language: str | None = None) -> list[Page]:
        """Pages to show now, in order: one per question or per field-list group, repeats
        expanded per row (plus an "add a row" page after a user-driven repeat); non-relevant
        questions, groups and rows are left out."""
        pages: list[Page] = []
        self._walk_pages(self.form.root, (), (), "", None, "", language, pages)
        return pages

    def _shown(self, node: Node) -> bool:
        return isinstance(node, Field) and node.type not in _HIDDEN_TYPES \
            and not node.is_metadata

    def _flat_fields(self, group: Group, chain: tuple[str, ...], idx: tuple[int, ...]) -> list[str]:
        """Paths of the visible, relevant fields of a field-list group (nested groups flattened)."""
        out = []
        for child in group.children:
            if isinstance(child, Repeat) or not self._visible(child, idx):
                continue
            if isinstance(child, Group):
                out.extend(self._flat_fields(child, chain, idx))
            elif self._shown(child):
                out.append(make_path(child.name, chain, idx))
        return out

    def _walk_pages(self, group: Group, chain: tuple[str, ...], idx: tuple[int, ...],
                    section: str, repeat_path: str | None, row_title: str,
                    language: str | None, pages: list[Page], group_title: str = "") -> None:
        root = self.form.root
        for child in group.children:
            sec = child.name if group is root else section
            if not self._visible(child, idx):
                continue
            if isinstance(child, Repeat):
                rchain = chain + (child.name,)
                row = self._row(chain, idx) or {}
                base = make_path(child.name, chain, idx)
                # A label of only ${references} titles the rows; the group around the repeat
                # then names it ("Thành viên hộ gia đình").
                title = strip_refs(self.form.text(child.label, language)) or (
                    strip_refs(self.form.text(group.label, language)) if group is not root else "")
                for i in range(len(row.get(child.name) or ())):
                    ridx = idx + (i,)
                    if not self._visible(child, ridx):
                        continue
                    rpath = f"{base}[{i}]"
                    rtitle = self._row_title(child, rchain, ridx, i, language)
                    if child.field_list:
                        paths = self._flat_fields(child, rchain, ridx)
                        if paths:
                            pages.append(Page(rpath, sec, tuple(paths), title, rpath, rtitle))
                    else:
                        self._walk_pages(child, rchain, ridx, sec, rpath, rtitle, language, pages,
                                         "")
                if child.repeat_count is None:
                    pages.append(Page(base + "+", sec, (), title, repeat_path, row_title,
                                      add_row=base))
            elif isinstance(child, Group):
                if child.field_list:
                    paths = self._flat_fields(child, chain, idx)
                    if paths:
                        key = make_path(child.name, chain, idx)
                        title = self._interpolate(self.form.text(child.label, language),
                                                  chain, idx)
                        pages.append(Page(key, sec, tuple(paths), title, repeat_path, row_title,
                                          group_title=group_title))
                else:
                    crumb = self._interpolate(self.form.text(child.label, language), chain, idx)
                    self._walk_pages(child, chain, idx, sec, repeat_path, row_title, language,
                                     pages, crumb or group_title)
            elif self._shown(child):
                path = make_path(child.name, chain, idx)
                pages.append(Page(path, sec, (path,), "", repeat_path, row_title,
                                  group_title=group_title))

    def _row_title(self, repeat: Repeat, chain: tuple[str, ...], idx: tuple[int, ...],
                   i: int, language: str | None) -> str:
        """"2. Hoàng Văn Sơn, 34": the repeat label filled in for the row when it refers to
        fields, else the row's first text answer, else the label with the row number."""
        label = self.form.text(repeat.label, language)
        if "${" in label:
            text = self._interpolate(label, chain, idx).strip(" ,;:-–")
            if text and strip_refs(label) != text:
                return f"{i + 1}. {text}"
        row = self._row(chain, idx) or {}
        for f in self._row_fields.get(chain, ()):
            if f.type == "text" and row.get(f.name) and self._visible(f, idx):
                return f"{i + 1}. {row[f.name]}"
        plain = strip_refs(label)
        return f"{i + 1}. {plain}" if plain else f"{i + 1}."

    def sections(self, language: str | None = None) -> list[Section]:
        """Top-level groups/repeats (and loose questions) with the index of their first page."""
        first: dict[str, int] = {}
        for i, page in enumerate(self.pages(language)):
            first.setdefault(page.section, i)
        out = []
        for node in self.form.root.children:
            if node.name in first:
                title = self.form.text(node.label, language)
                if isinstance(node, Repeat):
                    title = strip_refs(title)
                out.append(Section(node.name, self._interpolate(title, (), ()) or node.name,
                                   first[node.name]))
        return out
