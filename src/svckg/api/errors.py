"""The one place mapping errors to HTTP responses.

Every :class:`svckg.errors.SvckgError` becomes its ``http_status`` with its ``to_dict()``
as JSON; a failed validation also carries the report. Request-shape errors from FastAPI
become 400 with the offending fields named. Anything unexpected becomes a 500 whose body
never leaks internals in production.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from svckg.errors import Busy, StoreError, SvckgError, Unauthorized, ValidationFailed

log = logging.getLogger("svckg.api")


MAX_ECHO = 1000
"""Longest message or ``where`` an error body repeats (a 5 MB bad id is not echoed whole)."""


def _short(text: object) -> object:
    if isinstance(text, str) and len(text) > MAX_ECHO:
        return f"{text[:MAX_ECHO]}... ({len(text):,} characters)"
    return text


def error_body(exc: SvckgError) -> dict[str, object]:
    """JSON body for an svckg error (with the validation report when there is one); long
    messages are cut at :data:`MAX_ECHO` characters."""
    body = {key: _short(value) for key, value in exc.to_dict().items()}
    if isinstance(exc, ValidationFailed) and exc.report is not None:
        report = exc.report
        body["report"] = report.to_json() if hasattr(report, "to_json") else report
    return body


def _svckg_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SvckgError)
    headers = (
        {"WWW-Authenticate": 'Bearer realm="svckg"'} if isinstance(exc, Unauthorized) else None
    )
    if isinstance(exc, Busy):
        headers = {"Retry-After": str(exc.retry_after)}
    body = error_body(exc)
    if isinstance(exc, StoreError) and request.app.state.svckg.settings.production:
        body.update(message="the store cannot serve this request", where=request.url.path)
    if exc.http_status >= 500:
        log.warning(
            "%s %s -> %s: %s", request.method, request.url.path, exc.http_status, exc.describe()
        )
    return JSONResponse(body, status_code=exc.http_status, headers=headers)


def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()))
        problems.append(f"{where}: {err.get('msg', 'invalid')}")
    body = {
        "error": "InputError",
        "message": "the request is malformed: " + "; ".join(problems),
        "where": request.url.path,
        "hint": "see the OpenAPI description at /openapi.json for the expected parameters",
    }
    return JSONResponse(body, status_code=400)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    body = {
        "error": "HTTPError",
        "message": str(exc.detail),
        "where": request.url.path,
        "hint": None,
    }
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    production = request.app.state.svckg.settings.production
    message = "internal error" if production else f"internal error: {type(exc).__name__}: {exc}"
    body = {
        "error": "InternalError",
        "message": message,
        "where": request.url.path,
        "hint": "retry; if it persists, report it with the server log",
    }
    return JSONResponse(body, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(SvckgError, _svckg_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
