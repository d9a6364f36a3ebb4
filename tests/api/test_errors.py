"""One mapping of errors to HTTP responses: status, JSON body, no crash, no leak."""

from __future__ import annotations

from fastapi import APIRouter

from svckg.errors import NotFound, ValidationFailed
from svckg.validation.report import ValidationReport, ValidationResult


def _add_failing_routes(client) -> None:  # noqa: ANN001
    router = APIRouter()

    @router.get("/boom")
    def boom() -> None:
        raise ZeroDivisionError("secret internal detail")

    @router.get("/missing")
    def missing() -> None:
        raise NotFound("no such thing", where="thing 7", hint="look elsewhere")

    @router.get("/invalid")
    def invalid() -> None:
        report = ValidationReport(
            [ValidationResult("urn:x", "Violation", "bad", "urn:shape", "urn:component")]
        )
        raise ValidationFailed("1 violation", report=report)

    client.app.include_router(router)


def test_svckg_errors_keep_status_and_body(make_client) -> None:
    client = make_client()
    _add_failing_routes(client)
    response = client.get("/missing")
    assert response.status_code == 404
    assert response.json() == {
        "error": "NotFound",
        "message": "no such thing",
        "where": "thing 7",
        "hint": "look elsewhere",
    }
    invalid = client.get("/invalid")
    assert invalid.status_code == 422
    assert invalid.json()["report"]["violations"] == 1
    assert invalid.json()["report"]["results"][0]["focus_node"] == "urn:x"


def test_unexpected_errors_are_500_and_masked_in_production(make_client) -> None:
    for production, leaks in ((False, True), (True, False)):
        client = make_client(production=production, raise_errors=False)
        _add_failing_routes(client)
        response = client.get("/boom")
        assert response.status_code == 500
        assert response.json()["error"] == "InternalError"
        assert ("secret internal detail" in response.text) is leaks


def test_bad_request_parameters_are_400_naming_the_field(make_client) -> None:
    client = make_client()
    response = client.get("/api/impact")
    assert response.status_code == 400
    assert "element" in response.json()["message"]
    assert client.get("/api/impact", params={"element": "x", "paths": "0"}).status_code == 400


def test_unknown_route_and_method(make_client) -> None:
    client = make_client()
    assert client.get("/no/such/route").status_code == 404
    response = client.delete("/sparql")
    assert response.status_code == 405
    assert response.json()["error"] == "HTTPError"
