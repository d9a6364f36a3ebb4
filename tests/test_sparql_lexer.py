"""The one SPARQL lexer, case by case from the SPARQL 1.1 grammar (section 19.8), and the
binders built on it. Many cases failed on one of the four lexers it replaced: a variable
cut short at ``€`` or ``·``, an IRI holding ``#`` read as a comment, a keyword found inside a
prefixed name or an IRI, an escaped quote ending a long string."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from svckg.analysis.queries import parse_query_file
from svckg.api.sparql_text import add_using, words
from svckg.errors import ShapesError
from svckg.sparql_lexer import (
    BNODE,
    COMMENT,
    INVALID,
    IRI,
    KEYWORD,
    LANG,
    NUMBER,
    PNAME,
    PUNCT,
    STRING,
    VAR,
    is_iri,
    splice,
    tokenize,
)
from svckg.store.params import bind_parameters
from svckg.validation.fast.components import fill_message
from svckg.validation.fast.sparql import check_query, prebind, strip_strings

X = ox.NamedNode("http://e/x")


def kinds(text: str, *, comments: bool = False) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokenize(text, comments=comments)]


def parsed_variables(query: str) -> list[str]:
    """The variables pyoxigraph's own parser reads in ``query`` (a SELECT)."""
    result = ox.Store().query(query)
    assert isinstance(result, ox.QuerySolutions)
    return [v.value for v in result.variables]


# -- VARNAME ::= ( PN_CHARS_U | [0-9] )
#                ( PN_CHARS_U | [0-9] | #xB7 | [#x300-#x36F] | [#x203F-#x2040] )*

FIRST_CHAR_EDGES = [
    "A", "Z", "a", "z", "_", "0", "9",
    "\u00c0", "\u00d6", "\u00d8", "\u00f6", "\u00f8", "\u02ff",
    "\u0370", "\u037d", "\u037f", "\u1fff", "\u200c", "\u200d",
    "\u2070", "\u20ac", "\u218f", "\u2c00", "\u2fef", "\u3001", "\ud7ff",
    "\uf900", "\ufdcf", "\ufdf0", "\ufffd",
]  # fmt: skip
SUPPLEMENTARY_EDGES = ["\U00010000", "\U000effff"]
TAIL_ONLY = ["\u00b7", "\u0300", "\u036f", "\u203f", "\u2040"]
NEVER_IN_A_NAME = [
    "\u00aa", "\u00b5", "\u00d7", "\u00f7", "\u037e", "\u200b", "\u200e", "\u206f",
    "\u2190", "\u2bff", "\u2ff0", "\u3000", "\ufdd0", "\ufffe", "\u00b2",
    "-", ".", ":",
]  # fmt: skip


@pytest.mark.parametrize("char", FIRST_CHAR_EDGES + SUPPLEMENTARY_EDGES)
def test_varname_first_and_later_characters(char: str) -> None:
    for name in (char, f"x{char}", f"{char}{char}"):
        for sigil in "?$":
            assert kinds(f"{sigil}{name} ") == [(VAR, f"{sigil}{name}")]


@pytest.mark.parametrize("char", FIRST_CHAR_EDGES)
def test_varnames_agree_with_the_engine(char: str) -> None:
    name = f"{char}1{char}\u00b7"
    query = f"SELECT ?{name} WHERE {{ ?s ?p ?{name} }}"
    assert parsed_variables(query) == [name]
    assert [t.variable for t in tokenize(query) if t.kind == VAR] == [name, "s", "p", name]


@pytest.mark.parametrize("char", TAIL_ONLY)
def test_tail_only_characters(char: str) -> None:
    assert kinds(f"?a{char}b") == [(VAR, f"?a{char}b")]
    assert parsed_variables(f"SELECT ?a{char}b {{}}") == [f"a{char}b"]
    assert kinds(f"?{char}b")[0] == (PUNCT, "?")  # not a variable: a path's '?' and junk


@pytest.mark.parametrize("char", NEVER_IN_A_NAME)
def test_characters_outside_varname_end_the_name(char: str) -> None:
    assert kinds(f"?ab{char}")[0] == (VAR, "?ab")


def test_names_the_old_lexers_cut_short_or_overran() -> None:
    # \w missed the euro sign (in #x2070-#x218F) and took the feminine ordinal (below #xC0).
    names = [t.variable for t in tokenize("?a€b ?aª ?été ?x·y") if t.kind == VAR]
    assert names == ["a€b", "a", "été", "x·y"]


# -- strings: the four quote forms, with escapes -------------------------------------------


@pytest.mark.parametrize(
    "literal",
    [
        '"a \\" ?v WHERE"',
        "'a \\' ?v WHERE'",
        '"""a "" ?v \\""" WHERE """',
        "'''a '' ?v \\''' WHERE '''",
        '"""line\nbreak ?v"""',
        "'''it's ?v'''",
        '"# not a comment ?v"',
        '"\\\\"',
        '""',
        "''",
    ],
)
def test_strings_hold_variables_keywords_and_escapes(literal: str) -> None:
    text = f"SELECT * WHERE {{ ?s ?p {literal} }}"
    assert (STRING, literal) in kinds(text)
    assert [t.variable for t in tokenize(text) if t.kind == VAR] == ["s", "p"]
    assert sorted(parsed_variables(text)) == ["p", "s"]


def test_long_string_ends_at_the_first_unescaped_triple_quote() -> None:
    assert kinds('"""a""""') == [(STRING, '"""a"""'), (INVALID, '"')]
    assert kinds("'''a'''''") == [(STRING, "'''a'''"), (STRING, "''")]


def test_unterminated_strings_are_invalid_and_hide_what_they_hold() -> None:
    assert kinds('"open ?v\n?w') == [(INVALID, '"open ?v'), (VAR, "?w")]
    assert kinds("'''open ?v\n?w") == [(INVALID, "'''open ?v\n?w")]
    assert kinds('"""open ?v\n?w') == [(INVALID, '"""open ?v\n?w')]


def test_language_tags_and_datatypes() -> None:
    assert kinds('"x"@en-GB "1"^^xsd:int') == [
        (STRING, '"x"'),
        (LANG, "@en-GB"),
        (STRING, '"1"'),
        (PUNCT, "^^"),
        (PNAME, "xsd:int"),
    ]


# -- comments, IRIs, prefixed names, blank nodes, numbers ----------------------------------


def test_comments_hold_variables_until_the_end_of_the_line() -> None:
    text = "SELECT ?a # ?b \"'\r?c # ?d\n?e"
    assert [t.variable for t in tokenize(text) if t.kind == VAR] == ["a", "c", "e"]
    assert [t.text for t in tokenize(text, comments=True) if t.kind == COMMENT] == [
        "# ?b \"'",
        "# ?d",
    ]


@pytest.mark.parametrize(
    "iri", ["<http://e/ns#p>", "<http://e/q?v=1&w=$x>", "<urn:a:select#WHERE>", "<>", "<#frag>"]
)
def test_iris_hold_hashes_question_marks_and_keywords(iri: str) -> None:
    assert kinds(f"{iri} ?v") == [(IRI, iri), (VAR, "?v")]


def test_less_than_is_an_operator_when_no_iri_closes() -> None:
    assert kinds("FILTER(?o < ?v)") == [
        (KEYWORD, "FILTER"),
        (PUNCT, "("),
        (VAR, "?o"),
        (PUNCT, "<"),
        (VAR, "?v"),
        (PUNCT, ")"),
    ]
    assert kinds("?o <= 3")[1] == (PUNCT, "<=")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ex:p", [(PNAME, "ex:p")]),
        (":p", [(PNAME, ":p")]),
        ("ex:", [(PNAME, "ex:")]),
        ("ex:o.", [(PNAME, "ex:o"), (PUNCT, ".")]),  # a local name never ends in '.'
        ("ex:a.b", [(PNAME, "ex:a.b")]),
        ("ex:a\\?v", [(PNAME, "ex:a\\?v")]),  # PN_LOCAL_ESC
        ("ex:50%2F", [(PNAME, "ex:50%2F")]),  # PERCENT
        ("ex:a:b", [(PNAME, "ex:a:b")]),
        ("ex.1-x:y", [(PNAME, "ex.1-x:y")]),
        ("ex:select", [(PNAME, "ex:select")]),
        ("_:b1 _:x.y", [(BNODE, "_:b1"), (BNODE, "_:x.y")]),
        ("1 1.5 .5 1e3 1.E-3 1.", [(NUMBER, n) for n in ["1", "1.5", ".5", "1e3", "1.E-3", "1"]]
         + [(PUNCT, ".")]),
        ("a true GROUP_CONCAT sha256",
         [(KEYWORD, w) for w in ["a", "true", "GROUP_CONCAT", "sha256"]]),
        ("^^ && || != <= >= ( ) [ ] ! ? * + / | ^ , ; .",
         [(PUNCT, p) for p in ["^^", "&&", "||", "!=", "<=", ">=", "(", ")", "[", "]", "!", "?",
                               "*", "+", "/", "|", "^", ",", ";", "."]]),
        ("$ @ ~", [(INVALID, "$"), (INVALID, "@"), (INVALID, "~")]),
    ],
)  # fmt: skip
def test_terminals(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


def test_prefixed_names_agree_with_the_engine() -> None:
    query = "PREFIX ex: <http://e/> SELECT * { ?s ex:a\\?v ?v ; ex:50%2F ex:o. ?x ?y 1. }"
    found = {t.variable for t in tokenize(query) if t.kind == VAR}
    assert found == set(parsed_variables(query)) == {"s", "v", "x", "y"}


def test_tokens_cover_the_text_but_whitespace() -> None:
    text = "PREFIX ex: <http://e/#>\nSELECT ?x WHERE { ?x ex:p 'y'@en . } # done\n"
    tokens = list(tokenize(text, comments=True))
    rebuilt = splice(text, [(t.start, t.end, "") for t in tokens])
    assert rebuilt.strip(" \n") == ""
    assert all(text[t.start : t.end] == t.text for t in tokens)


def test_keyword_and_variable_accessors() -> None:
    select, var, iri = tokenize("select ?v <urn:a>")
    assert (select.keyword, select.variable) == ("SELECT", None)
    assert (var.keyword, var.variable) == (None, "v")
    assert (iri.keyword, iri.variable, iri.end) == (None, None, 17)


def test_is_iri() -> None:
    assert is_iri("http://e/a#b?c=1")
    assert not is_iri("http://e/a b")
    assert not is_iri("http://e/<a>")


# -- the binders on the one lexer: cases the old lexers got wrong --------------------------


def test_parameter_binder_reads_whole_varnames() -> None:
    query = "SELECT ?x WHERE { ?x ?p ?a€b . ?x ?q ?a }"
    assert bind_parameters(query, {"a": X}) == (
        "SELECT ?x WHERE { ?x ?p ?a€b . ?x ?q <http://e/x> }"
    )
    query = "SELECT ?x WHERE { ?x ?p ?a·b . ?x ?q ?a }"
    assert bind_parameters(query, {"a·b": X}).endswith("?x ?p <http://e/x> . ?x ?q ?a }")


def test_parameter_binder_skips_escapes_in_local_names() -> None:
    query = "PREFIX ex: <http://e/> SELECT ?x WHERE { ?x ex:a\\?v ?o . ?x ?q ?v }"
    assert bind_parameters(query, {"v": X}).endswith("?x ex:a\\?v ?o . ?x ?q <http://e/x> }")


def test_parameter_binder_skips_long_strings_with_escaped_quotes() -> None:
    query = 'SELECT ?x WHERE { ?x ?p """a \\""" ?v """ ; ?q ?v }'
    assert bind_parameters(query, {"v": X}) == (
        'SELECT ?x WHERE { ?x ?p """a \\""" ?v """ ; ?q <http://e/x> }'
    )


def test_using_rewrite_reads_unicode_variables_and_pnames() -> None:
    # The old scanner stopped with an AssertionError on a variable such as ?été.
    found = [(t.text, t.keyword) for t in words("SELECT ?été ?where { ?été :where ex:WHERE }")]
    assert found == [("SELECT", "SELECT"), (":where", None), ("ex:WHERE", None)]
    update = "INSERT { ?été <urn:p> 1 } WHERE { ?été <urn:p#WHERE> ?o }"
    assert add_using(update, ["urn:g"], []) == (
        "INSERT { ?été <urn:p> 1 } USING <urn:g> WHERE { ?été <urn:p#WHERE> ?o }"
    )


def write_query(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "q.rq"
    path.write_text(f"#+ summary: test\n{body}", encoding="utf-8")
    return path


def test_named_query_parameters_are_whole_variable_names(tmp_path: Path) -> None:
    body = 'SELECT ?x WHERE { ?x ?p ?_x__y , ?_näme , """a \\""" ?_in_string """ , ?_ok_iri }'
    query = parse_query_file(write_query(tmp_path, body))
    assert [p.variable for p in query.parameters] == ["_ok_iri"]


def test_named_query_headers_are_the_opening_comments(tmp_path: Path) -> None:
    path = tmp_path / "h.rq"
    path.write_text(
        "# plain comment\n#+ summary: S\n\n#+ tags: [a, b]\n"
        "SELECT ?_x WHERE { ?s ?p ?_x } #+ description: not a header\n",
        encoding="utf-8",
    )
    query = parse_query_file(path)
    assert (query.summary, query.tags, query.description) == ("S", ("a", "b"), "")
    assert [p.name for p in query.parameters] == ["x"]


def test_prebinding_past_an_iri_with_a_hash() -> None:
    text = "SELECT ?v WHERE { $this <http://e/ns#p> ?v . ?v <urn:q> $this }"
    assert prebind(text, {"this": "<urn:a>"}) == (
        "SELECT ?v WHERE { <urn:a> <http://e/ns#p> ?v . ?v <urn:q> <urn:a> }"
    )


@pytest.mark.parametrize("word", ["ex:select", "<urn:x:select>", '"SELECT"', "?select"])
def test_prebinding_ignores_select_outside_keywords(word: str) -> None:
    text = f"SELECT ?v WHERE {{ ?v {word} $this }}"
    assert prebind(text, {"this": "<urn:a>"}) == f"SELECT ?v WHERE {{ ?v {word} <urn:a> }}"


def test_prebinding_skips_long_strings_with_escaped_quotes() -> None:
    text = 'SELECT $this WHERE { $this ?p """a \\""" $this """ }'
    assert prebind(text, {"this": "<urn:a>"}) == (
        'SELECT $this WHERE { <urn:a> ?p """a \\""" $this """ }'
    )


def test_prebinding_keeps_projection_group_and_order_and_binds_bound() -> None:
    text = (
        "SELECT $this (COUNT($this) AS ?n) WHERE { $this ?p ?o FILTER(BOUND( $this )) } "
        "GROUP BY $this HAVING (COUNT($this) > 1) ORDER BY $this"
    )
    assert prebind(text, {"this": "<a>"}) == (
        "SELECT $this (COUNT(<a>) AS ?n) WHERE { <a> ?p ?o FILTER((true)) } "
        "GROUP BY $this HAVING (COUNT(<a>) > 1) ORDER BY $this"
    )


def test_strip_strings_keeps_iris_with_hashes() -> None:
    text = 'SELECT $this WHERE { $this <urn:a#b> "x" } # c\n'
    assert strip_strings(text) == 'SELECT $this WHERE { $this <urn:a#b> "" } ""\n'


def test_query_check_sees_subqueries_after_an_iri_with_a_hash() -> None:
    text = "SELECT $this WHERE { $this <http://e/ns#p> ?x . { SELECT ?x WHERE { ?x ?p ?o } } }"
    with pytest.raises(ShapesError, match="does not return"):
        check_query(text, {}, "shape")


@pytest.mark.parametrize(
    "text",
    [
        "SELECT $this WHERE { $this ex:values ?values }",
        "SELECT $this WHERE { $this <urn:minus> 'SERVICE' }",
        "SELECT $this WHERE { $this ?p ?o } # VALUES",
    ],
)
def test_query_check_finds_forbidden_keywords_only_as_keywords(text: str) -> None:
    check_query(text, {"ex": "http://e/"}, "shape")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT $this WHERE { $this ?p ?o MINUS { $this ?p 1 } }", "MINUS"),
        ("SELECT $this WHERE { $this ?p $shapesGraph }", "shapesGraph"),
        ("SELECT $this WHERE { ?x ?p ?o BIND(?x AS $this) }", "AS"),
    ],
)
def test_query_check_rules(text: str, message: str) -> None:
    with pytest.raises(ShapesError, match=message):
        check_query(text, {}, "shape")


def test_message_templates_name_variables_by_varname() -> None:
    bindings = {"this": "ex:a", "été": "ex:b", "x·y": "ex:c"}
    assert fill_message("{$this} {?été} {?x·y} {?other}", bindings) == "ex:a ex:b ex:c {?other}"
