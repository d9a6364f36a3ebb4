"""The one SPARQL lexer: tokens of SPARQL 1.1 query and update text, by the spec's grammar.

Why one module: the named-query parameter binder (``store/params.py``), the SHACL-SPARQL
pre-binding (``validation/fast/sparql.py``), the protocol's ``USING`` rewrite
(``api/sparql_text.py``) and the named-query catalogue (``analysis/queries.py``) all need to
know where a variable, keyword, string, IRI or comment starts and ends. Four lexers disagreed
(a variable was ``[A-Za-z0-9_]+`` in one, ``\\w+`` in another; an IRI holding ``#`` was a
comment in two), so the same query text meant different things to different binders.

The terminals follow the SPARQL 1.1 grammar (section 19.8): ``IRIREF``, ``PNAME_NS`` /
``PNAME_LN`` (with ``PLX`` escapes), ``BLANK_NODE_LABEL``, ``VAR1`` / ``VAR2`` with the
``VARNAME`` character set, ``LANGTAG``, numbers, the four string forms with escapes, and
comments. Bare words are keywords (``SELECT``, ``a``, ``true``, function names). The lexer
never raises: a character no terminal accepts, or an unterminated string (to the end of its
line, or of the text for a long string), becomes an ``invalid`` token, so binders leave such
text alone and the engine reports the syntax error with its own message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

# -- character classes of the SPARQL 1.1 grammar (contents of a regex [...] class) -----------

PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
PN_CHARS_U = PN_CHARS_BASE + "_"
_VARNAME_TAIL = PN_CHARS_U + "0-9\u00b7\u0300-\u036f\u203f-\u2040"
PN_CHARS = _VARNAME_TAIL + "\\-"

VARNAME = f"[{PN_CHARS_U}0-9][{_VARNAME_TAIL}]*"
_PN_PREFIX = f"[{PN_CHARS_BASE}](?:[{PN_CHARS}.]*[{PN_CHARS}])?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = f"(?:[{PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{PN_CHARS}.:]|{_PLX})*(?:[{PN_CHARS}:]|{_PLX}))?"
_EXPONENT = r"[eE][+-]?[0-9]+"

IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
"""An ``IRIREF`` token: the IRI between angle brackets."""

# Token kinds.
WS = "ws"
COMMENT = "comment"
STRING = "string"
IRI = "iri"
VAR = "var"
BNODE = "bnode"
LANG = "lang"
PNAME = "pname"
NUMBER = "number"
KEYWORD = "keyword"
PUNCT = "punct"
INVALID = "invalid"

_TOKEN = re.compile(
    rf"""
    (?P<{WS}>[\x20\t\r\n]+)
  | (?P<{COMMENT}>\#[^\r\n]*)
  | (?P<{STRING}>\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
              |'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
              |"(?!"")(?:[^"\\\n\r]|\\.)*"
              |'(?!'')(?:[^'\\\n\r]|\\.)*')
  | (?P<{IRI}>{IRIREF.pattern})
  | (?P<{VAR}>[?$]{VARNAME})
  | (?P<{BNODE}>_:[{PN_CHARS_U}0-9](?:[{PN_CHARS}.]*[{PN_CHARS}])?)
  | (?P<{LANG}>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
  | (?P<{PNAME}>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)
  | (?P<{NUMBER}>[0-9]+\.[0-9]*{_EXPONENT}|[0-9]*\.[0-9]+(?:{_EXPONENT})?
              |[0-9]+(?:{_EXPONENT})?)
  | (?P<{KEYWORD}>[{PN_CHARS_BASE}][{PN_CHARS_U}0-9]*)
  | (?P<{PUNCT}>\^\^|&&|\|\||!=|<=|>=|[{{}}()\[\],;.*/|^+\-!=<>?])
  | (?P<{INVALID}>\"\"\"[\s\S]*|'''[\s\S]*|"[^\r\n]*|'[^\r\n]*|.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    """One token: its ``kind`` (the module's kind constants), ``text`` and ``start`` offset."""

    kind: str
    text: str
    start: int

    @property
    def end(self) -> int:
        """The offset just past the token."""
        return self.start + len(self.text)

    @property
    def keyword(self) -> str | None:
        """The upper-cased word for a keyword (keywords are case-insensitive), else None."""
        return self.text.upper() if self.kind == KEYWORD else None

    @property
    def variable(self) -> str | None:
        """The variable's name (without ``?`` / ``$``) for a variable, else None."""
        return self.text[1:] if self.kind == VAR else None

    def punct(self, *texts: str) -> bool:
        """Is this the punctuation ``texts`` names (any of them)?"""
        return self.kind == PUNCT and self.text in texts


def tokenize(text: str, *, comments: bool = False) -> Iterator[Token]:
    """The tokens of ``text`` without whitespace (and without comments unless asked).

    >>> [t.text for t in tokenize('SELECT ?x { ?x ex:p "a ?b"@en } # ?c')]
    ['SELECT', '?x', '{', '?x', 'ex:p', '"a ?b"', '@en', '}']
    >>> [t.kind for t in tokenize("ASK { <a#b> ?p 1.5e3 } # ?c", comments=True)]
    ['keyword', 'punct', 'iri', 'var', 'number', 'punct', 'comment']
    """
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        assert kind is not None
        if kind == WS or (kind == COMMENT and not comments):
            continue
        yield Token(kind, match.group(), match.start())


def splice(text: str, edits: Iterable[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, replacement)`` applied (edits in order, not
    overlapping): how binders put terms in place of tokens without touching anything else.

    >>> splice("SELECT ?a ?b", [(7, 9, "<x>"), (10, 12, "1")])
    'SELECT <x> 1'
    """
    out: list[str] = []
    last = 0
    for start, end, replacement in edits:
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)


def is_iri(iri: str) -> bool:
    """Can ``iri`` be written as an ``IRIREF`` (``<iri>``)?

    >>> is_iri("http://example.org/a#b"), is_iri("http://example.org/a b")
    (True, False)
    """
    return IRIREF.fullmatch(f"<{iri}>") is not None


class QueryNames:
    r"""The IRIs a query's text names, resolved as the engine reads them: ``BASE`` and
    ``PREFIX`` declarations in order (:meth:`declare`), then IRI and prefixed-name tokens
    (:meth:`iri`; local-name escapes removed, relative IRIs against the base).

    >>> names, tokens = QueryNames(), list(tokenize(r"BASE <http://e/> PREFIX p: <s/> p:a\.b"))
    >>> names.declare(tokens, 0), names.declare(tokens, 2), names.prefixes
    (2, 5, {'p': 'http://e/s/'})
    >>> names.iri(tokens[5])
    'http://e/s/a.b'
    """

    def __init__(self) -> None:
        self.base = ""
        self.prefixes: dict[str, str] = {}

    def iri(self, token: Token) -> str | None:
        """The IRI ``token`` stands for (None: not an IRI, or an undeclared prefix)."""
        if token.kind == IRI:
            return urljoin(self.base, token.text[1:-1]) if self.base else token.text[1:-1]
        if token.kind == PNAME:
            prefix, _, local = token.text.partition(":")
            ns = self.prefixes.get(prefix)
            return None if ns is None else ns + local.replace("\\", "")
        return None

    def declare(self, tokens: list[Token], i: int) -> int:
        """Read the ``BASE`` or ``PREFIX`` declaration at ``tokens[i]``; the index after it."""
        if tokens[i].keyword == "BASE":
            if i + 1 < len(tokens):
                self.base = self.iri(tokens[i + 1]) or self.base
            return i + 2
        if i + 2 < len(tokens):
            self.prefixes[tokens[i + 1].text.rstrip(":")] = self.iri(tokens[i + 2]) or ""
        return i + 3
