"""Bearer-token access control: roles consumer < reader < editor < admin.

Tokens come from ``Settings.tokens`` (``token:role,...``) and ``Settings.tokens_file`` (one
``token role`` per line, ``#`` comments). Tokens are compared in constant time and never
logged or echoed in errors. Reading is open unless ``Settings.read_requires_token``.

A consumer token is bound to one service consumer (an organization, or a person for B2C):
``token:consumer:<IRI or CURIE>`` inline, ``token consumer:<IRI or CURIE>`` in the file. It
resolves to a :class:`Principal` with role ``consumer`` and that IRI; the routes that admit
consumers answer it from the consumer's view only (:mod:`svckg.analysis.scope`), the others
refuse it (403). Consumer tokens need ``Settings.read_requires_token`` (else anyone could
read everything without a token): :func:`load_tokens` refuses them otherwise.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request

from svckg.config import Settings
from svckg.errors import Forbidden, InputError, QueryError, Unauthorized
from svckg.terms import expand_iri

CONSUMER = "consumer"
READER = "reader"
EDITOR = "editor"
ADMIN = "admin"
ROLES: dict[str, int] = {CONSUMER: 0, READER: 1, EDITOR: 2, ADMIN: 3}
"""Role name -> rank; a higher rank may do everything a lower one may (a reader sees
everything a consumer sees, and more)."""


@dataclass(frozen=True)
class Principal:
    """Who a token stands for: a role, and for consumer tokens the consumer's IRI."""

    role: str
    consumer: str | None = None
    """The IRI of the service consumer (organization or person) of a consumer token."""

    @property
    def is_consumer(self) -> bool:
        """Whether answers must be limited to the consumer's view."""
        return self.role == CONSUMER


@dataclass(frozen=True)
class TokenTable:
    """The configured tokens and who they stand for."""

    entries: tuple[tuple[bytes, Principal], ...] = ()

    def principal_of(self, token: str) -> Principal | None:
        """The principal of ``token``, or None. Compares every entry in constant time.

        >>> TokenTable(((b"s3cret", Principal("consumer", "urn:acme")),)).principal_of("s3cret")
        Principal(role='consumer', consumer='urn:acme')
        """
        given = token.encode("utf-8")
        found: Principal | None = None
        for secret, principal in self.entries:
            if hmac.compare_digest(secret, given) and found is None:
                found = principal
        return found

    def role_of(self, token: str) -> str | None:
        """The role of ``token``, or None.

        >>> TokenTable(((b"s3cret", Principal("editor")),)).role_of("s3cret")
        'editor'
        >>> TokenTable(((b"s3cret", Principal("editor")),)).role_of("guess") is None
        True
        """
        principal = self.principal_of(token)
        return principal.role if principal else None

    @property
    def consumers(self) -> frozenset[str]:
        """The consumers some token is bound to (their views are kept current)."""
        return frozenset(p.consumer for _, p in self.entries if p.consumer)


def _principal(text: str, where: str) -> Principal:
    """``reader``/``editor``/``admin``, or ``consumer:<IRI or CURIE>``."""
    role, sep, who = text.strip().partition(":")
    role = role.strip().lower()
    if role == CONSUMER:
        if not sep or not who.strip():
            raise InputError(
                "a consumer token names its consumer",
                where=where,
                hint="write consumer:<IRI or CURIE>, e.g. consumer:id:aurora-hospitals",
            )
        try:
            return Principal(CONSUMER, expand_iri(who, what="consumer"))
        except QueryError as exc:
            raise InputError(exc.message, where=where, hint=exc.hint) from exc
    if sep or role not in ROLES:
        raise InputError(
            f"unknown role {text.strip()!r}",
            where=where,
            hint="use one of reader, editor, admin, consumer:<IRI or CURIE>",
        )
    return Principal(role)


def _split_inline(item: str) -> tuple[str, str]:
    """``token:role`` or ``token:consumer:<IRI or CURIE>`` -> (token, role text)."""
    token, sep, rest = item.partition(f":{CONSUMER}:")
    if sep:
        return token, f"{CONSUMER}:{rest}"
    token, _, role = item.rpartition(":")
    return token, role


def load_tokens(settings: Settings) -> TokenTable:
    """Read the tokens of ``settings``; raises InputError naming the bad entry (never the
    token itself).

    >>> load_tokens(Settings(tokens="a1:reader,b2:admin")).role_of("b2")
    'admin'
    """
    entries: list[tuple[bytes, str]] = []
    for index, item in enumerate(filter(None, (p.strip() for p in settings.tokens.split(",")))):
        token, role = _split_inline(item)
        if not token or not role:
            raise InputError(
                f"token entry {index + 1} is not 'token:role'",
                where="SVCKG_TOKENS",
                hint="write token:role[,token:role...]",
            )
        entries.append((token.encode("utf-8"), _principal(role, f"SVCKG_TOKENS entry {index + 1}")))
    if settings.tokens_file:
        path = Path(settings.tokens_file)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise InputError(
                f"cannot read the tokens file: {exc.strerror}",
                where=str(path),
                hint="fix SVCKG_TOKENS_FILE",
            ) from exc
        for number, line in enumerate(lines, start=1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            parts = text.split()
            if len(parts) != 2:
                raise InputError(
                    "expected 'token role'",
                    where=f"{path}, line {number}",
                    hint="one token and one role per line",
                )
            entries.append(
                (parts[0].encode("utf-8"), _principal(parts[1], f"{path}, line {number}"))
            )
    table = TokenTable(tuple(entries))
    if table.consumers and not settings.read_requires_token:
        raise InputError(
            "consumer tokens are configured but reading is open to anyone without a token",
            where="SVCKG_READ_REQUIRES_TOKEN",
            hint="set SVCKG_READ_REQUIRES_TOKEN=true (and give readers reader tokens), or "
            "remove the consumer tokens",
        )
    return table


def request_principal(request: Request) -> Principal | None:
    """Who the request's bearer token stands for (None without a token).

    Raises Unauthorized when a token is given but unknown or the header is malformed."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "the Authorization header is not 'Bearer <token>'",
            hint="send Authorization: Bearer <token>",
        )
    principal = request.app.state.svckg.tokens.principal_of(token.strip())
    if principal is None:
        raise Unauthorized("unknown bearer token", hint="ask an administrator for a token")
    return principal


def request_role(request: Request) -> str | None:
    """The role the request's bearer token grants (None without a token)."""
    principal = request_principal(request)
    return principal.role if principal else None


def request_consumer(request: Request) -> str | None:
    """The consumer IRI of a consumer token (None for any other request): the one question
    a route that admits consumers asks before answering from the consumer's view."""
    principal = request_principal(request)
    return principal.consumer if principal and principal.is_consumer else None


def _require(request: Request, needed: str, action: str) -> str | None:
    role = request_role(request)
    if role is None:
        raise Unauthorized(
            f"{action} needs a bearer token with the {needed} role",
            where=request.url.path,
            hint="send Authorization: Bearer <token>",
        )
    if ROLES[role] < ROLES[needed]:
        raise Forbidden(
            f"{action} needs the {needed} role; this token has the {role} role",
            where=request.url.path,
            hint="use a token with more rights",
        )
    return role


def require_read(request: Request) -> str | None:
    """Dependency: reading everything is open, or needs a reader token when the setting says
    so. Consumer tokens are refused (403): a route that can answer from a consumer's view
    declares :func:`require_scoped_read` instead."""
    if request.app.state.svckg.settings.read_requires_token:
        return _require(request, READER, "reading")
    role = request_role(request)
    if role == CONSUMER:
        _require(request, READER, "reading")
    return role


def require_scoped_read(request: Request) -> str | None:
    """Dependency of the routes that admit consumer tokens and answer them from the
    consumer's view only (see :func:`request_consumer`)."""
    if request.app.state.svckg.settings.read_requires_token:
        return _require(request, CONSUMER, "reading")
    return request_role(request)


def require_editor(request: Request) -> str | None:
    """Dependency: writes (SPARQL update, Graph Store writes, imports) need an editor token."""
    return _require(request, EDITOR, "writing")


def require_admin(request: Request) -> str | None:
    """Dependency: administrative actions (removing imports) need an admin token."""
    return _require(request, ADMIN, "this administrative action")
