"""The wheel runs anywhere: built with ``python -m build``, installed with pip into a new venv
(no checkout on the path), run from an empty directory: ``--version``, ``config`` reading a
``svckg.toml``, ``init``, ``import``, ``imports list``, and ``serve --demo`` answering every
page with assets from the wheel. Slow (about a minute: pip installs the dependencies), in CI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from svckg import __version__
from tests.conftest import REPO_ROOT, _free_port, running_server

TINY_SHOP = REPO_ROOT / "tests" / "ingest_ea" / "data" / "tiny-shop.xml"


def _run(argv: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{argv}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_wheel_in_a_new_venv_from_an_empty_directory(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SVCKG_")}
    env.pop("PYTHONPATH", None)  # nothing from the checkout
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", dist, REPO_ROOT], tmp_path, env)
    (wheel,) = dist.glob("svckg-*.whl")
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], tmp_path, env)
    _run([venv / "bin" / "pip", "install", "--quiet", wheel], tmp_path, env)
    svckg = venv / "bin" / "svckg"
    here = tmp_path / "empty"
    here.mkdir()
    (here / "svckg.toml").write_text('store = "kg"\nmax_result_rows = 500\n')

    assert _run([svckg, "--version"], here, env).strip() == f"svckg {__version__}"
    where = _run(
        [venv / "bin" / "python", "-c", "import svckg.config as c; print(c.ONTOLOGY_DIR)"],
        here,
        env,
    )
    assert (
        Path(where.strip()).is_relative_to(venv) and (Path(where.strip()) / "svckg.ttl").is_file()
    )
    shown = _run([svckg, "config"], here, env)
    assert re.search(r"store\s+│\s+'kg'\s+│\s+file svckg.toml", shown), shown
    assert "kg: ready" in _run([svckg, "init"], here, env)
    _run([svckg, "import", TINY_SHOP, "--force"], here, env)
    listed = _run([svckg, "imports", "list", "--format", "json"], here, env)
    assert [i["source"] for i in __import__("json").loads(listed)] == ["tiny-shop.xml"]

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    served = str(here / "served")
    argv = [str(svckg), "serve", "--demo", "--store", served, "--port", str(port)]
    with running_server(argv, f"{base}/api/queries", tmp_path / "serve.log", env=env):
        html = {"accept": "text/html"}
        for path in ("/", "/ui/sparql", "/ui/validate", "/graphql", "/docs", "/id/mail-server"):
            page = httpx.get(base + path, headers=html, timeout=30)
            assert page.status_code == 200, (path, page.text[:300])
            assert "text/html" in page.headers["content-type"], path
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', httpx.get(base + "/").text)
        assets.append("/static/swagger-ui/swagger-ui-bundle.js")
        assert len(assets) > 1
        for asset in assets:
            assert httpx.get(base + asset, timeout=30).status_code == 200, asset
        turtle = httpx.get(base + "/id/mail-server", headers={"accept": "text/turtle"})
        assert turtle.status_code == 200 and "mail-server" in turtle.text
    assert "Traceback" not in (tmp_path / "serve.log").read_text(errors="replace")
