"""A small CSV reader that keeps positions: each record with its spreadsheet row and the
file line it starts on. Handles quoted multi-line fields, doubled quotes, blanks after a
closing quote, ``#`` comment lines between records (Archi writes them) and a UTF-8 BOM.
Python's ``csv`` module cannot tell where a record started, which located errors need."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from svckg.errors import ParseError

DELIMITERS = ",;\t"


@dataclass(frozen=True)
class Record:
    """One CSV record: its fields, its row (1-based, as a spreadsheet shows it, comment
    lines included) and the file line it starts on."""

    row: int
    line: int
    fields: list[str]


def decode(data: bytes, name: str) -> str:
    """UTF-8 text of a CSV file (BOM removed, line ends made ``\\n``), or a ParseError naming
    the bad byte's line."""
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
            source=name,
            line=line,
            hint="save the file as UTF-8 CSV",
        ) from exc


def sniff_delimiter(text: str) -> str:
    """The delimiter of the first non-comment line: the first of , ; TAB outside quotes.

    >>> sniff_delimiter('# note\\n"ID";"Type"\\n')
    ';'
    """
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        quoted = False
        for ch in line:
            if ch == '"':
                quoted = not quoted
            elif not quoted and ch in DELIMITERS:
                return ch
        return ","
    return ","


def records(
    text: str, name: str, *, comments: bool = True, delimiter: str | None = None
) -> Iterator[Record]:
    """Yield the records of ``text``; blank lines are skipped, and lines starting with ``#``
    between records too when ``comments`` is true.

    >>> [r.fields for r in records('a,"b ""q""\\nc"\\n# x\\n1,2\\n', "f.csv")]
    [['a', 'b "q"\\nc'], ['1', '2']]
    >>> [(r.row, r.line) for r in records('a,"b\\nc"\\n# x\\n1,2\\n', "f.csv")]
    [(1, 1), (3, 4)]
    """
    sep = delimiter or sniff_delimiter(text)
    n = len(text)
    i, line, row = 0, 1, 0
    while i < n:
        # start of a record
        if text[i] in "\r\n":
            if text[i] == "\n":
                line += 1
            i += 1
            continue
        row += 1
        if comments and text[i] == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        start_line = line
        fields: list[str] = []
        field: list[str] = []
        while True:
            if i < n and text[i] == '"' and not "".join(field).strip():
                field = []
                i += 1
                quote_line = line
                while True:
                    j = text.find('"', i)
                    if j < 0:
                        raise ParseError(
                            "a quoted field is never closed",
                            source=name,
                            line=quote_line,
                            hint='close the field with " (write "" for a quote inside it)',
                        )
                    chunk = text[i:j]
                    line += chunk.count("\n")
                    field.append(chunk)
                    if j + 1 < n and text[j + 1] == '"':
                        field.append('"')
                        i = j + 2
                        continue
                    i = j + 1
                    break
                while i < n and text[i] in " \t" and text[i] != sep:
                    i += 1  # blanks after the closing quote
                if i < n and text[i] not in (sep, "\r", "\n"):
                    raise ParseError(
                        f"unexpected text {text[i : i + 10]!r} after a closing quote",
                        source=name,
                        line=line,
                        hint='write "" for a quote inside a quoted field',
                    )
            else:
                while i < n and text[i] not in (sep, "\r", "\n"):
                    field.append(text[i])
                    i += 1
            fields.append("".join(field))
            field = []
            if i < n and text[i] == sep:
                i += 1
                continue
            break
        yield Record(row, start_line, fields)
