"""Build hook: the wheel carries the built browser assets (package data under
svckg/resources/web, a link to web/dist). Building without them fails with what to do;
everything else is declared in pyproject.toml."""

import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
WEB = ROOT / "web"
BUILT = WEB / "dist" / "viewer" / "index.html"


class BuildWithWeb(build_py):
    """Build the browser assets with npm when they are missing, or stop with a clear error."""

    def run(self) -> None:
        if not BUILT.exists() and (WEB / "package.json").exists():
            npm = shutil.which("npm")
            if npm is None:
                raise SystemExit(
                    f"svckg wheel: the browser assets are not built ({BUILT} is missing) and "
                    "npm is not installed: install Node 20 and run 'make web' first"
                )
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True)
            subprocess.run([npm, "run", "build"], cwd=WEB, check=True)
        if not BUILT.exists():
            raise SystemExit(f"svckg wheel: {BUILT} is missing: run 'make web' first")
        super().run()


setup(cmdclass={"build_py": BuildWithWeb})
