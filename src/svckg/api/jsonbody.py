"""JSON response bodies encoded once, off the event loop: orjson (several times faster than
``json.dumps`` on an impact document, and FastAPI's own response path validates the whole
document against the route's return type first: 3-4 ms of a leaf's 5 at a million triples),
the standard encoder for what orjson refuses."""

from __future__ import annotations

import json

import orjson
from fastapi import Response


def encode_json(data: object) -> bytes:
    """``data`` as compact UTF-8 JSON.

    >>> encode_json({"data": {"n": 1, "s": "é"}})
    b'{"data":{"n":1,"s":"\\xc3\\xa9"}}'
    >>> encode_json({1: 2**70})
    b'{"1":1180591620717411303424}'
    """
    try:
        return orjson.dumps(data)
    except TypeError:  # orjson.JSONEncodeError: let the standard encoder decide
        return json.dumps(data, separators=(",", ":")).encode()


def json_response(body: bytes, headers: dict[str, str] | None = None) -> Response:
    """A response of JSON already encoded (by :func:`encode_json`, in a worker thread)."""
    return Response(body, media_type="application/json", headers=headers)
