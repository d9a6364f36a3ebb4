"""One exception hierarchy for svckg.

Each class carries its CLI exit code and its HTTP status: this module is the one
place where errors map to both. Messages say what was wrong, where, and what to do.
"""

from __future__ import annotations


class SvckgError(Exception):
    """Base of every error svckg raises on purpose."""

    exit_code = 2
    http_status = 500

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(self.describe())

    def describe(self) -> str:
        """The full sentence: ``where: what. hint``."""
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        return text

    def to_dict(self) -> dict[str, object]:
        """JSON body for APIs."""
        return {
            "error": type(self).__name__,
            "message": self.message,
            "where": self.where,
            "hint": self.hint,
        }


class InputError(SvckgError):
    """The input cannot be read (bad syntax, wrong encoding, empty, unknown format)."""

    exit_code = 2
    http_status = 400


class ParseError(InputError):
    """Malformed content; ``where`` names file, line and column."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ):
        self.source, self.line, self.column = source, line, column
        parts = [
            p
            for p in (
                source,
                f"line {line}" if line else None,
                f"column {column}" if column else None,
            )
            if p
        ]
        super().__init__(message, where=", ".join(parts) or None, hint=hint)


class UnsupportedFormat(InputError):
    """The format is unknown or not accepted here."""

    http_status = 415


class NotAcceptable(InputError):
    """No representation matches the client's Accept header."""

    http_status = 406


class TooLarge(InputError):
    """The input is over a configured size limit."""

    http_status = 413


class NotFound(SvckgError):
    """A named thing (IRI, graph, import, query) does not exist."""

    exit_code = 2
    http_status = 404


class UnknownElements(InputError):
    """Some of the elements a request names are not in the store; ``unknown`` lists each one
    as given, so the client can fix them all at once (nothing was written)."""

    http_status = 422

    def __init__(
        self, message: str, unknown: list[str], *, where: str | None = None, hint: str | None = None
    ):
        self.unknown = list(unknown)
        super().__init__(message, where=where, hint=hint)

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "unknown": self.unknown}


class QueryError(InputError):
    """A SPARQL query or update is malformed or has a bad parameter."""


class LimitExceeded(SvckgError):
    """A query ran over the timeout or the maximum number of result rows."""

    exit_code = 2
    http_status = 503


class Busy(LimitExceeded):
    """Too much expensive work is running: retry after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: int = 1, hint: str | None = None):
        self.retry_after = retry_after
        super().__init__(message, hint=hint)


class QueryFailed(QueryError):
    """The engine failed on this query (its process stopped); the server is unaffected."""

    http_status = 422


class ValidationFailed(SvckgError):
    """The data violates the shapes; ``report`` holds the validation report."""

    exit_code = 1
    http_status = 422

    def __init__(
        self,
        message: str,
        *,
        report: object = None,
        where: str | None = None,
        hint: str | None = None,
    ):
        self.report = report
        super().__init__(message, where=where, hint=hint)


class StoreError(SvckgError):
    """The store cannot be opened or used (locked, corrupt, unreachable)."""

    exit_code = 2
    http_status = 503


class Unauthorized(SvckgError):
    """No or an unknown bearer token."""

    exit_code = 2
    http_status = 401


class Forbidden(SvckgError):
    """The token's role may not do this."""

    exit_code = 2
    http_status = 403


class ShapesError(InputError):
    """The shapes graph is malformed (unknown constraint component, bad path, bad SPARQL);
    ``where`` names the shape."""
