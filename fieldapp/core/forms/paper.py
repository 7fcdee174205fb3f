"""A form laid out for paper: numbered questions, the roster as a table, the rest of a repeat as
a grid of questions by person, and skip instructions derived from the relevance expressions.

Pure: fieldapp.reports.questionnaire draws it. Relevance becomes two kinds of instruction:

- at a select question, next to a choice: "→ question N" when choosing it makes the questions
  right after it irrelevant (a conjunct of their relevance that tests only this question is
  false for that choice);
- at the first question of a block shown under a condition: "Ask only if …", the relevance in
  words (:func:`describe`), question numbers in place of field names.

Values the form works out itself (calculate and hidden fields) that conditions use are said in
the words of their label when the form gives them one (a form's own names and formulas are
never printed then); others are listed with how they are worked out, so a member can follow
the skips on paper.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fieldapp.core.forms.model import Field, Form, Group, Node, Repeat
from fieldapp.core.xpath import DictContext, Expr
from fieldapp.core.xpath.nodes import Binary, Call, Literal, Neg, Number, Path, Ref
from fieldapp.core.xpath.values import number_to_string
from fieldapp.i18n.catalog import _

ROSTER_ROWS = 8
PRINTED_TYPES = frozenset({"text", "integer", "decimal", "date", "time", "datetime",
                           "select_one", "select_multiple", "acknowledge", "range", "barcode",
                           "geopoint", "rank"})


@dataclass
class Question:
    number: int
    field: Field
    choices: list[tuple[str, int]] = field(default_factory=list)
    """(choice name, number written on paper), for selects with a choice list."""
    skips: dict[str, int | None] = field(default_factory=dict)
    """choice name -> the question number to go to (None: the end of this part)."""
    condition: str = ""
    """"Ask only if ..." (in words), on the first question of a conditional block."""


@dataclass
class Note:
    node: Field
    condition: str = ""


@dataclass
class Roster:
    """A repeat: its first group as a table (a row per person), the rest as a grid of
    questions by person."""

    repeat: Repeat
    columns: list[Question]
    grid: list[Question | "Heading"]
    rows: int = ROSTER_ROWS


@dataclass
class Heading:
    node: Node
    condition: str = ""


@dataclass
class Section:
    node: Node | None
    items: list[Question | Note | Roster | Heading] = field(default_factory=list)
    condition: str = ""


@dataclass
class Layout:
    form: Form
    sections: list[Section]
    questions: dict[str, int]
    """field name -> question number."""
    worked_out: list[tuple[Field, str]]
    """Calculated values the conditions use, with how they are worked out (in words)."""
    value_names: dict[str, str] = field(default_factory=dict)
    """What each calculated value is called on paper ("[Tuổi]"), by field name."""


def _printed(node: Node) -> bool:
    return isinstance(node, Field) and node.type in PRINTED_TYPES and not node.is_metadata


def _conjuncts(node: Node) -> list[Expr]:
    """The relevance of a node and of its enclosing groups, as a list of conditions that must
    all hold (top-level ``and`` split)."""
    out = []
    current: Node | None = node
    while current is not None:
        if current.relevant is not None:
            out.append(current.relevant)
        current = current.parent
    return out


def _split_and(tree) -> list:
    if isinstance(tree, Binary) and tree.op == "and":
        return _split_and(tree.left) + _split_and(tree.right)
    return [tree]


class _Describer:
    """Relevance and calculations in words, with question numbers."""

    def __init__(self, form: Form, numbers: dict[str, int],
                 names: Callable[[str], str | None] | None = None):
        self.form = form
        self.numbers = numbers
        self.used: list[str] = []
        self._names = names or (lambda _name: None)
        self.value_names: dict[str, str] = {}

    def value_name(self, name: str) -> str:
        """A calculated value's name on paper: its label, the name given for it (the
        shipped forms' calculations have no label), else its field name."""
        if name not in self.value_names:
            node = self.form.fields.get(name)
            label = self.form.text(node.label) if node is not None and node.label else ""
            self.value_names[name] = " ".join((label or self._names(name) or name).split())
        return self.value_names[name]

    def ref(self, name: str) -> str:
        if name in self.numbers:
            return _("question {number}").format(number=self.numbers[name])
        words = self.words(name)
        if words:
            return words
        node = self.form.fields.get(name)
        if node is not None and node.calculation is not None and name not in self.used:
            self.used.append(name)
        return f"[{self.value_name(name)}]"

    def words(self, name: str) -> str:
        """A value the form works out or carries (a calculate, a hidden field) that its row
        labels: said in those words on paper, never by its name or its formula."""
        node = self.form.fields.get(name)
        if node is None or name in self.numbers or not node.label:
            return ""
        return self.form.text(node.label).strip()

    def value(self, ref: str, literal: str) -> str:
        node = self.form.fields.get(ref)
        if node is not None and node.list_name and node.list_name in self.form.choice_lists:
            choice = self.form.choice_lists[node.list_name].by_name(literal)
            if choice is not None:
                label = self.form.text(choice.label)
                number = self.form.choice_lists[node.list_name].choices.index(choice) + 1
                return f"{number} “{label}”"
        return f"“{literal}”"

    def __call__(self, tree, parent_op: str | None = None) -> str:
        if isinstance(tree, Binary):
            if tree.op in ("and", "or"):
                word = _("and") if tree.op == "and" else _("or")
                text = f"{self(tree.left, tree.op)} {word} {self(tree.right, tree.op)}"
                return f"({text})" if parent_op and parent_op != tree.op else text
            if tree.op in ("=", "!="):
                return self._equality(tree)
            symbols = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "+": "+", "-": "−",
                       "*": "×", "div": ":", "mod": _("mod")}
            text = f"{self(tree.left, tree.op)} {symbols.get(tree.op, tree.op)} " \
                   f"{self(tree.right, tree.op)}"
            return f"({text})" if parent_op in ("+", "-", "*", "div", "mod") else text
        if isinstance(tree, Ref):
            return self.ref(tree.name)
        if isinstance(tree, Literal):
            return f"“{tree.value}”"
        if isinstance(tree, Number):
            return number_to_string(tree.value)
        if isinstance(tree, Neg):
            return f"−{self(tree.operand, '-')}"
        if isinstance(tree, Path) and tree.path == "..":
            return _("this person")
        if isinstance(tree, Call):
            return self._call(tree)
        return str(tree)

    def _equality(self, tree: Binary) -> str:
        left, right = tree.left, tree.right
        if isinstance(left, (Literal, Number)) and isinstance(right, Ref):
            left, right = right, left
        if isinstance(left, Ref) and isinstance(right, Number):
            right = Literal(number_to_string(right.value))  # a choice named by a number
        if isinstance(left, Ref) and isinstance(right, Literal):
            if right.value == "" and self.words(left.name):
                return (_("there is {value}") if tree.op == "!=" else
                        _("there is no {value}")).format(value=self.words(left.name))
            if right.value == "":
                return (_("{question} is answered") if tree.op == "!=" else
                        _("{question} is not answered")).format(question=self.ref(left.name))
            value = self.value(left.name, right.value)
        else:
            value = self(right, tree.op)
        if tree.op == "=":
            return f"{self(left, tree.op)} = {value}"
        return _("{left} is not {right}").format(left=self(left, tree.op), right=value)

    def _call(self, tree: Call) -> str:
        name, args = tree.name, tree.args
        if name == "selected" and len(args) == 2 and isinstance(args[0], Ref) \
                and isinstance(args[1], Literal):
            return _("{question} includes {choice}").format(
                question=self.ref(args[0].name), choice=self.value(args[0].name, args[1].value))
        if name == "not" and len(args) == 1:
            return _("not ({condition})").format(condition=self(args[0]))
        if name == "int" and len(args) == 1:
            return self(args[0], "int")
        if name == "format-date" and len(args) == 2 and isinstance(args[0], Call) \
                and args[0].name == "today" and isinstance(args[1], Literal) \
                and args[1].value == "%Y":
            return _("this year")
        if name == "today":
            return _("today")
        if name == "position":
            return _("the person's number in the list")
        if name == "count-selected" and args:
            return _("the number of choices at {question}").format(question=self(args[0]))
        if name == "count" and args:
            return _("the number of rows of {repeat}").format(repeat=self(args[0]))
        if name == "sum" and args:
            return _("the sum of {value}").format(value=self(args[0]))
        if name == "indexed-repeat" and len(args) >= 3:
            return _("{value} of person {row}").format(value=self(args[0]), row=self(args[2]))
        if name == "if" and len(args) == 3:
            return _("if {condition} then {then}, else {other}").format(
                condition=self(args[0]), then=self(args[1]), other=self(args[2]))
        if name == "string-length" and args:
            return _("the length of {value}").format(value=self(args[0]))
        if name in ("true", "false") and not args:
            return _("yes") if name == "true" else _("no")
        return str(tree)

    def condition(self, conjuncts: list[Expr]) -> str:
        parts = [self(expr.tree) for expr in conjuncts]
        return _(" and ").join(parts)


def _scope_fields(group: Group) -> list[Field]:
    """The printed fields of a group, nested groups included, repeats excluded."""
    out = []
    for child in group.children:
        if isinstance(child, Repeat):
            continue
        if isinstance(child, Group):
            out.extend(_scope_fields(child))
        elif _printed(child):
            out.append(child)
    return out


def _skips(form: Form, scope: list[Field], questions: dict[str, Question],
           asking: set[str] | None = None) -> None:
    """Fill the skips of each select question of ``scope`` (of ``asking`` only, if given)
    over the questions after it in ``scope``."""
    for i, q_field in enumerate(scope):
        question = questions[q_field.name]
        if q_field.type != "select_one" or not question.choices or (
                asking is not None and q_field.name not in asking):
            continue
        later = scope[i + 1:]
        for choice, _number in question.choices:
            # The chosen answer, and every question skipped so far left empty: a question
            # whose condition on those alone is false is skipped too.
            values = {q_field.name: choice}
            skipped = []
            for other in later:
                ctx = DictContext(values)
                tests = [c for expr in _conjuncts(other) for c in _split_and(expr.tree)]
                own = [t for t in tests if _refs(t) and _refs(t) <= set(values)]
                gone = any(not _holds(t, ctx) for t in own)
                skipped.append(gone)
                if gone:
                    values[other.name] = ""
            if skipped and skipped[0]:
                target = next((q for q, s in zip(later, skipped) if not s), None)
                question.skips[choice] = questions[target.name].number if target else None


def _refs(tree) -> set[str]:
    from fieldapp.core.xpath.nodes import walk

    return {n.name for n in walk(tree) if isinstance(n, Ref)}


def _holds(tree, ctx: DictContext) -> bool:
    from fieldapp.core.xpath import parse

    return parse(str(tree)).evaluate_bool(ctx)


def layout(form: Form, roster_rows: int = ROSTER_ROWS,
           names: Callable[[str], str | None] | None = None) -> Layout:
    """Number the questions and derive the instructions (see the module's docstring).
    ``names(field)``: what to call a calculated value without a label on paper."""
    numbers: dict[str, int] = {}
    for node in form.root.walk():
        if _printed(node):
            numbers[node.name] = len(numbers) + 1
    describe = _Describer(form, numbers, names)
    questions: dict[str, Question] = {}
    for name, number in numbers.items():
        node = form.fields[name]
        choices = []
        if node.list_name and node.list_name in form.choice_lists:
            choices = [(c.name, i + 1) for i, c in
                       enumerate(form.choice_lists[node.list_name].choices)]
        questions[name] = Question(number, node, choices)
    # A question outside the repeats may send the member past a whole roster: its skips
    # look at every later question; a question inside a repeat only at that repeat's.
    everything = [form.fields[name] for name in numbers]
    _skips(form, everything, questions, asking={f.name for f in _scope_fields(form.root)})
    for repeat in form.repeats:
        _skips(form, _scope_fields(repeat), questions)
    sections: list[Section] = []

    def condition_of(node: Node, stop: Node | None) -> str:
        """The node's own relevance and its groups' up to ``stop``, in words, unless a skip
        instruction already covers every part of it."""
        conjuncts = []
        current: Node | None = node
        while current is not None and current is not stop:
            if current.relevant is not None:
                conjuncts.append(current.relevant)
            current = current.parent
        if not conjuncts:
            return ""
        return describe.condition(list(reversed(conjuncts)))

    current = Section(None)
    sections.append(current)
    for child in form.root.children:
        if isinstance(child, Repeat):
            current.items.append(_roster(child, questions, describe, condition_of, roster_rows))
        elif isinstance(child, Group):
            current = Section(child, condition=condition_of(child, form.root))
            sections.append(current)
            _fill_section(child, current, questions, describe, condition_of, roster_rows)
        elif _printed(child):
            current.items.append(_question(child, questions, condition_of, form.root))
        elif isinstance(child, Field) and child.type == "note":
            current.items.append(Note(child, condition_of(child, form.root)))
    sections = [s for s in sections if s.items]
    worked = []
    index = 0
    while index < len(describe.used):
        name = describe.used[index]
        node = form.fields[name]
        worked.append((node, describe(node.calculation.tree)))
        index += 1
    return Layout(form, sections, numbers, worked, dict(describe.value_names))


def _question(node: Field, questions: dict[str, Question], condition_of, stop: Node) -> Question:
    question = questions[node.name]
    question.condition = condition_of(node, stop)
    return question


def _fill_section(group: Group, section: Section, questions, describe, condition_of,
                  roster_rows: int) -> None:
    previous = ""
    for child in group.children:
        if isinstance(child, Repeat):
            section.items.append(_roster(child, questions, describe, condition_of, roster_rows))
        elif isinstance(child, Group):
            condition = condition_of(child, group)
            section.items.append(Heading(child, condition))
            for node in _scope_fields(child):
                question = questions[node.name]
                own = condition_of(node, child)
                question.condition = own
                section.items.append(question)
            for note in (c for c in child.children if isinstance(c, Field) and c.type == "note"):
                section.items.append(Note(note, condition_of(note, child)))
        elif _printed(child):
            question = questions[child.name]
            own = condition_of(child, group)
            question.condition = own if own != previous else ""
            previous = own
            section.items.append(question)
        elif isinstance(child, Field) and child.type == "note":
            section.items.append(Note(child, condition_of(child, group)))


def _roster(repeat: Repeat, questions, describe, condition_of, rows: int) -> Roster:
    """The repeat's first group (or, without one, its own questions) becomes the table; the
    rest the grid of questions by person."""
    groups = [c for c in repeat.children if isinstance(c, Group) and not isinstance(c, Repeat)]
    first = groups[0] if groups else None
    direct = [c for c in repeat.children if _printed(c)]
    columns = []
    table_fields = _scope_fields(first) if first is not None else direct
    for node in table_fields:
        question = questions[node.name]
        question.condition = condition_of(node, first if first is not None else repeat)
        columns.append(question)
    grid: list[Question | Heading] = []
    for child in repeat.children:
        if child is first or isinstance(child, Repeat) or (first is None and child in direct):
            continue
        if isinstance(child, Group):
            grid.append(Heading(child, condition_of(child, repeat)))
            for node in _scope_fields(child):
                question = questions[node.name]
                question.condition = condition_of(node, child)
                grid.append(question)
        elif _printed(child):
            question = questions[child.name]
            question.condition = condition_of(child, repeat)
            grid.append(question)
    return Roster(repeat, columns, grid, rows)
