"""The data files a form uses: which it needs, reading them, and the choice lists they hold.

:class:`FilesReader` is the part of the form builder that finds every file the form needs
(``select_one_from_file fruits.csv``, ``csv-external``/``xml-external`` rows,
``instance('fruits')`` paths and ``pulldata('fruits', ...)``), asks the media source for it,
reads it (:mod:`~fieldapp.core.forms.media`) and turns the files that selects choose from into
choice lists, all with located problems. The registry lists the app serves from its database
(``households.csv`` ...) are not files: they are looked up when the form is filled in.
"""

from __future__ import annotations

import hashlib

from fieldapp.core.forms import expressions as ex
from fieldapp.core.forms.media import MediaProblem, MediaSource, items, no_media, read_data_file
from fieldapp.core.forms.model import REGISTRY_FILES, Choice, ChoiceList, Field
from fieldapp.core.forms.sheets import SURVEY, SheetReader
from fieldapp.core.xpath.instances import Element, document
from fieldapp.i18n.catalog import N_

REGISTRY_INSTANCES = frozenset(name.rsplit(".", 1)[0] for name in REGISTRY_FILES)
_SUFFIXES = (".csv", ".xml", ".geojson")


class FilesReader(SheetReader):
    """Reads the data files the form needs (a mixin of the form builder)."""

    media: MediaSource = staticmethod(no_media)
    allow_duplicates = False

    def read_files(self, fields: dict[str, Field],
                   lists: dict[str, ChoiceList]) -> dict[str, Element]:
        self.media_hashes: dict[str, str] = {}
        by_stem = {file.rsplit(".", 1)[0]: file for file in self.needed_files}
        by_stem.update(self.external_instances)
        for parsed, sheet, row, header, _owner in self.exprs:
            pulldata = ex.pulldata_files(parsed)
            for name in sorted(parsed.instances()):
                if name in by_stem:
                    continue
                file = next((name + s for s in _SUFFIXES if self._exists(name + s)), None)
                if name not in pulldata:
                    if name in lists:
                        continue  # a choice list of the workbook, an instance of the form
                    if file is None and name in REGISTRY_INSTANCES:
                        continue  # served from the database
                    if file is None:
                        # pyxform declares no file for it: ODK Collect cannot load the form.
                        self.problem(sheet, row, header,
                                     N_("instance('{name}') is not a choice list of the form and "
                                        "no data file declares it: add the choice list '{name}', "
                                        "or a csv-external row named {name} and the file "
                                        "{file} beside the workbook"),
                                     name=name, file=name + ".csv")
                        by_stem[name] = ""
                        continue
                    self.warning(sheet, row, header,
                                 N_("instance('{name}') reads {file}, which no row of the form "
                                    "declares: ODK Collect needs a csv-external or xml-external "
                                    "row named {name}"), name=name, file=file)
                file = file or name + ".csv"  # pulldata() reads a CSV file
                by_stem[name] = file
                self.needed_files.setdefault(file, (sheet, row, header))
        documents: dict[str, Element] = {}
        for file, (sheet, row, column) in self.needed_files.items():
            doc = self._read(file, sheet, row, column)
            if doc is not None:
                documents[file.rsplit(".", 1)[0]] = doc
        for f in fields.values():
            if f.instance is not None and f.instance in documents:
                f.list_name = self._file_list(f, documents[f.instance], lists)
        return documents

    def _exists(self, file: str) -> bool:
        try:
            return self.media(file) is not None
        except OSError:
            return False

    def _read(self, file: str, sheet: str, row: int, column: str) -> Element | None:
        try:
            data = self.media(file)
        except OSError as exc:
            self.problem(sheet, row, column, N_("cannot read the file {file}: {detail}"),
                         file=file, detail=exc.strerror or exc)
            return None
        if data is None:
            self.problem(sheet, row, column,
                         N_("the form needs the file {file}: put it beside the workbook, or in "
                            "a folder named after the workbook with '-media' at the end"),
                         file=file)
            return None
        self.media_hashes[file] = hashlib.sha256(data).hexdigest()
        try:
            return read_data_file(file, data)
        except MediaProblem as problem:
            self.problem(sheet, row, column, problem.message)
            return None

    def _file_list(self, f: Field, doc: Element, lists: dict[str, ChoiceList]) -> str:
        """The choice list of a select from a file: name and label from the columns the
        parameters name (``value=``, ``label=``; default name and label)."""
        value_col = f.parameters.get("value", "name")
        label_col = f.parameters.get("label", "label")
        key = f"{f.from_file}#{value_col}#{label_col}"
        if key in lists:
            return key
        rows = [item.columns() for item in items(doc)]
        columns = set().union(*(r.keys() for r in rows)) if rows else set()
        clist = ChoiceList(key, [], f.row)
        lists[key] = clist
        label_cols = {c: c.partition("::")[2].strip() or self.default_language
                      for c in columns if c == label_col or c.startswith(label_col + "::")
                      or c.startswith(label_col + ":")}
        for needed, param in ((value_col, "value"), (label_col, "label")):
            if needed not in columns and not (needed == label_col and label_cols):
                self.problem(SURVEY, f.row, "type",
                             N_("{file} has no column '{column}' (the {what} of each choice; "
                                "name another column with parameters {param}=...)"),
                             file=f.from_file, column=needed,
                             what=N_("value") if param == "value" else N_("label"), param=param)
                return key
        seen: dict[str, int] = {}
        for i, row in enumerate(rows, start=2):
            name = row.get(value_col, "").strip()
            if not name:
                continue
            if name in seen and not self.allow_duplicates:
                self.problem(SURVEY, f.row, "type",
                             N_("{file} has the value '{name}' twice (rows {first} and "
                                "{second}); values must be unique"), file=f.from_file,
                             name=name, first=seen[name], second=i)
                return key
            seen.setdefault(name, i)
            label = {lang: row[c] for c, lang in label_cols.items() if row.get(c)}
            extra = {c: v for c, v in row.items() if c != value_col and c not in label_cols}
            clist.choices.append(Choice(name, label or {self.default_language: name}, i, extra))
        return key


def choice_instance(clist: ChoiceList) -> Element:
    """A choice list of the workbook as the instance pyxform writes for it: root/item with
    ``name``, ``label`` (``itextId`` instead when the labels are translated, for
    ``jr:itext()``) and the list's other columns, so that
    ``instance('list')/root/item[name = ${x}]/latitude`` reads them as in ODK Collect."""
    translated = any(lang != "default" for c in clist.choices for lang in c.label)
    root = Element("root")
    for i, choice in enumerate(clist.choices):
        item = root.append(Element("item"))
        if translated:
            item.append(Element("itextId", f"{clist.name}-{i}"))
        item.append(Element("name", choice.name))
        if not translated:
            item.append(Element("label", choice.label.get("default", choice.name)))
        for column, text in choice.extra.items():
            item.append(Element(column, text))
    return document(root)
