"""Bearer-token access control: roles reader < editor < admin.

Tokens come from ``Settings.tokens`` (``token:role,...``) and ``Settings.tokens_file`` (one
``token role`` per line, ``#`` comments). Tokens are compared in constant time and never
logged or echoed in errors. Reading is open unless ``Settings.read_requires_token``.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request

from svckg.config import Settings
from svckg.errors import Forbidden, InputError, Unauthorized

READER = "reader"
EDITOR = "editor"
ADMIN = "admin"
ROLES: dict[str, int] = {READER: 1, EDITOR: 2, ADMIN: 3}
"""Role name -> rank; a higher rank may do everything a lower one may."""


@dataclass(frozen=True)
class TokenTable:
    """The configured tokens and their roles."""

    entries: tuple[tuple[bytes, str], ...] = ()

    def role_of(self, token: str) -> str | None:
        """The role of ``token``, or None. Compares every entry in constant time.

        >>> TokenTable(((b"s3cret", "editor"),)).role_of("s3cret")
        'editor'
        >>> TokenTable(((b"s3cret", "editor"),)).role_of("guess") is None
        True
        """
        given = token.encode("utf-8")
        found: str | None = None
        for secret, role in self.entries:
            if hmac.compare_digest(secret, given) and found is None:
                found = role
        return found


def _check_role(role: str, where: str) -> str:
    role = role.strip().lower()
    if role not in ROLES:
        raise InputError(
            f"unknown role {role!r}", where=where, hint="use one of reader, editor, admin"
        )
    return role


def load_tokens(settings: Settings) -> TokenTable:
    """Read the tokens of ``settings``; raises InputError naming the bad entry (never the
    token itself).

    >>> load_tokens(Settings(tokens="a1:reader,b2:admin")).role_of("b2")
    'admin'
    """
    entries: list[tuple[bytes, str]] = []
    for index, item in enumerate(filter(None, (p.strip() for p in settings.tokens.split(",")))):
        token, sep, role = item.rpartition(":")
        if not sep or not token:
            raise InputError(
                f"token entry {index + 1} is not 'token:role'",
                where="SVCKG_TOKENS",
                hint="write token:role[,token:role...]",
            )
        entries.append(
            (token.encode("utf-8"), _check_role(role, f"SVCKG_TOKENS entry {index + 1}"))
        )
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
                (parts[0].encode("utf-8"), _check_role(parts[1], f"{path}, line {number}"))
            )
    return TokenTable(tuple(entries))


def request_role(request: Request) -> str | None:
    """The role the request's bearer token grants (None without a token).

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
    role = request.app.state.svckg.tokens.role_of(token.strip())
    if role is None:
        raise Unauthorized("unknown bearer token", hint="ask an administrator for a token")
    return role


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
    """Dependency: reading is open, or needs any valid token when the setting says so."""
    if request.app.state.svckg.settings.read_requires_token:
        return _require(request, READER, "reading")
    return request_role(request)


def require_editor(request: Request) -> str | None:
    """Dependency: writes (SPARQL update, Graph Store writes, imports) need an editor token."""
    return _require(request, EDITOR, "writing")


def require_admin(request: Request) -> str | None:
    """Dependency: administrative actions (removing imports) need an admin token."""
    return _require(request, ADMIN, "this administrative action")
