"""Serve svckg on 127.0.0.1 with a fresh store holding the demo landscape (for the UI tests).

Usage: ``python serve_demo.py --port 8123 [--store :memory:] [--tokens token:editor]``. This is
what ``svckg serve`` does on an empty store, in a process the tests start and stop by PID.
"""

from __future__ import annotations

import argparse

import uvicorn

from svckg.api.app import create_app
from svckg.config import load_settings
from svckg.demo import load_demo
from svckg.store import open_store


def main() -> None:
    """Parse the arguments, load the demo into a fresh store and serve until terminated."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--store", default=":memory:")
    parser.add_argument("--tokens", default="")
    args = parser.parse_args()
    settings = load_settings(store=args.store, tokens=args.tokens)
    store = open_store(settings)
    try:
        load_demo(store)
        app = create_app(settings, store=store)
        uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
    finally:
        store.close()


if __name__ == "__main__":
    main()
