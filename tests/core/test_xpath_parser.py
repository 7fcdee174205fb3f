"""Tokenizer and parser: precedence, paths, references, syntax errors with positions."""

import pytest

from fieldapp.core.xpath import (
    DictContext, ExprArityError, ExprSyntaxError, ExprUnsupportedError, parse)
from fieldapp.core.xpath.lexer import tokenize
from fieldapp.core.xpath.nodes import Binary, Call, Current, Literal, Neg, Number, Path, Ref


def tree(text):
    return parse(text).tree


@pytest.mark.parametrize("text, expected", [
    ("1 + 2 * 3", "(1 + (2 * 3))"),
    ("(1 + 2) * 3", "((1 + 2) * 3)"),
    ("1 - 2 - 3", "((1 - 2) - 3)"),
    ("8 div 4 div 2", "((8 div 4) div 2)"),
    ("7 mod 4 * 2", "((7 mod 4) * 2)"),
    ("-2 * 3", "(-(2) * 3)"),
    ("- - 2", "-(-(2))"),
    ("1 < 2 = 2 > 1", "((1 < 2) = (2 > 1))"),
    ("1 = 1 and 2 != 3 or 4 <= 5", "(((1 = 1) and (2 != 3)) or (4 <= 5))"),
    ("a or b and c", "(a or (b and c))"),
    ("1 + 2 >= 3", "((1 + 2) >= 3)"),
    ("${a} - ${b}", "(${a} - ${b})"),
    ("${a}-${b}", "(${a} - ${b})"),
    ("${a}*2", "(${a} * 2)"),
    ("not(${a} = 'x')", "not((${a} = 'x'))"),
])
def test_precedence_and_associativity(text, expected):
    assert str(tree(text)) == expected


def test_node_kinds():
    assert tree("'abc'") == Literal("abc")
    assert tree('"it\'s"') == Literal("it's")
    assert tree("12.5") == Number(12.5)
    assert tree(".5") == Number(0.5)
    assert tree("5.") == Number(5.0)
    assert tree("${hh_size}") == Ref("hh_size")
    assert tree("${ name }") == Ref("name")
    assert tree(".") == Current()
    assert tree("..") == Path("..")
    assert tree("../age") == Path("../age")
    assert tree("../../village") == Path("../../village")
    assert tree("./age") == Path("age")
    assert tree("district") == Path("district")
    assert tree("/household/members/age") == Path("/household/members/age")
    assert tree("-1") == Neg(Number(1.0))
    assert tree("jr:choice-name(${q}, '${q}')") == Call(
        "jr:choice-name", (Ref("q"), Literal("${q}")))
    assert tree("true()") == Call("true", ())


def test_keywords_are_operators_only_after_an_operand():
    assert tree("${a} div ${b}") == Binary("div", Ref("a"), Ref("b"))
    assert tree("div") == Path("div")  # a field called 'div' in a choice_filter
    assert tree("and and or") == Binary("and", Path("and"), Path("or"))
    assert tree("x-1") == Path("x-1")  # XPath names may contain '-'
    assert tree("x - 1") == Binary("-", Path("x"), Number(1.0))


def test_tokens_carry_positions():
    toks = tokenize("${a} >= 'x'")
    assert [(t.kind, t.value, t.pos) for t in toks] == [
        ("reference", "a", 0), ("operator", ">=", 5), ("string", "x", 8), ("end", "", 11)]


def test_nfd_text_is_normalised():
    decomposed = "${a} = 'Nguye\u0302\u0303n'"
    assert tree(decomposed) == Binary("=", Ref("a"), Literal("Nguyễn"))


def test_non_breaking_space_is_whitespace():
    assert tree("${a}\u00a0+\u00a01") == Binary("+", Ref("a"), Number(1.0))


@pytest.mark.parametrize("text, position, fragment", [
    ("", 0, "empty"),
    ("   ", 0, "empty"),
    ("1 +", 3, "ends"),
    ("${a} + * 2", 7, "needs a value"),
    ("(1 + 2", 6, "expected ')'"),
    ("1 + 2)", 5, "unexpected"),
    ("1 2", 2, "unexpected"),
    ("'abc", 0, "not closed"),
    ('"abc', 0, "not closed"),
    ("${abc", 0, "not closed"),
    ("${}", 0, "not a valid field reference"),
    ("${1a}", 0, "not a valid field reference"),
    ("$a", 0, "${name}"),
    ("${a} ! ${b}", 5, "followed by '='"),
    ("${a} # 2", 5, "unexpected character"),
    ("concat('a',)", 11, "expected a value"),
    ("concat('a' 'b')", 11, "expected ',' or ')'"),
    ("()", 1, "empty parentheses"),
    ("2abc", 0, "not a number"),
    ("${a} = ", 7, "ends"),
    ("../", 3, "path step"),
    ("=${a} + 1", 0, "leading '='"),
    ("${a} > 1,5", 8, "decimals with '.'"),
])
def test_syntax_errors_have_positions(text, position, fragment):
    with pytest.raises(ExprSyntaxError) as info:
        parse(text)
    err = info.value
    assert err.position == position, err
    assert fragment in err.message
    assert err.expression == text
    assert str(position + 1) in str(err)


@pytest.mark.parametrize("text, position", [
    ("(${a})[1]", 6),
    ("//x", 0),
    ("@id", 0),
    ("${a} | ${b}", 5),
    ("count(${a})/b", 11),
    ("/data/x[1] | /data/y", 11),
])
def test_unsupported_syntax(text, position):
    with pytest.raises(ExprUnsupportedError) as info:
        parse(text)
    assert info.value.position == position


@pytest.mark.parametrize("text, position, arity", [
    ("if(1, 2)", 0, "exactly 3 arguments, 2 given"),
    ("1 + selected(${a})", 4, "exactly 2 arguments, 1 given"),
    ("not()", 0, "exactly 1 argument, 0 given"),
    ("true(1)", 0, "exactly 0 arguments, 1 given"),
    ("round(1, 2, 3)", 0, "1 or 2 arguments"),
    ("substr('a')", 0, "2 or 3 arguments"),
    ("join()", 0, "at least 1 argument"),
    ("indexed-repeat(${a}, ${r})", 0, "3, 5, 7, 9 or 11"),
    ("indexed-repeat(${a}, ${r}, 1, ${s})", 0, "3, 5, 7, 9 or 11"),
    ("weighted-checklist(1, 2, ${a})", 0, "even number"),
    ("coalesce(${a})", 0, "exactly 2"),
    ("today(1)", 0, "exactly 0"),
    ("concat(if(1))", 7, "exactly 3"),
])
def test_arity_errors_at_parse_time(text, position, arity):
    with pytest.raises(ExprArityError) as info:
        parse(text)
    assert info.value.position == position
    assert arity in info.value.message


def test_argument_kind_errors():
    with pytest.raises(ExprArityError) as info:
        parse("indexed-repeat('a', ${r}, 1)")
    assert info.value.position == 15
    with pytest.raises(ExprArityError):
        parse("indexed-repeat(${a}, 'r', 1)")
    with pytest.raises(ExprArityError):
        parse("position(1)")
    with pytest.raises(ExprArityError):
        parse("jr:choice-name(${q}, 'q')")


def test_unknown_functions_parse_but_are_reported():
    expr = parse("lower(${id}) + upper(${g}) + count(${r})")
    assert expr.functions() == {"lower", "upper", "count"}
    assert expr.unsupported_functions() == {"lower", "upper"}
    with pytest.raises(ExprUnsupportedError) as info:
        expr.check_supported()
    assert info.value.position == 0
    assert "lower" in info.value.message


def test_typographic_quotes_are_straight_quotes():
    # Excel's autocorrect types them; pyxform and Collect read them as ' and ".
    assert parse("${a} = \u2018yes\u2019").evaluate(DictContext({"a": "yes"})) is True
    assert parse("\u201cno\u201d").evaluate(DictContext()) == "no"


def test_references_and_functions_are_collected_everywhere():
    expr = parse("if(${a} > 0, concat(${b}, jr:choice-name(${c}, '${d}')), -${e})")
    assert expr.references() == {"a", "b", "c", "d", "e"}
    assert expr.functions() == {"if", "concat", "jr:choice-name"}
    assert not expr.uses_current()


def test_absolute_path_does_not_use_current():
    assert not parse("/data/x = 1").uses_current()
    assert parse("x = 1").uses_current()  # a choice_filter column


def test_str_round_trips():
    for text in ["${a} + 1 * -${b}", "concat('a', \"b'c\", ${x})", "../x != .",
                 "0.000001 + 123456789012345680000", "(1 + 2) div 3 mod 4"]:
        first = tree(text)
        assert tree(str(first)) == first


def test_parse_is_cached():
    assert parse("${a} + 1") is parse("${a} + 1")
