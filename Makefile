# svckg: two entry points for a fresh machine (Python 3.11, Node 20, registries reachable):
#   make serve   installs everything and serves the demo on http://127.0.0.1:8000
#   make test    installs everything and runs the whole test suite
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
APT_PACKAGES = chromium fonts-dejavu-core default-jre-headless virtuoso-opensource

.PHONY: setup python-deps system-deps web serve test test-fresh lint docs bench clean

setup: python-deps system-deps web

python-deps: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

# Debian packages: headless Chromium for the browser tests, Java for owlready2's HermiT,
# Virtuoso Open Source for the remote-engine tests (started by the tests on 127.0.0.1 only).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium fonts-dejavu-core"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	command -v virtuoso-t >/dev/null 2>&1 || missing="$$missing virtuoso-opensource"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

web: web/dist/.built

web/dist/.built: web/package.json web/package-lock.json $(shell find web/src -type f 2>/dev/null) $(wildcard web/*.js web/*.mjs)
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build
	touch $@

serve: setup
	$(BIN)/svckg serve --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest

# the suite from a copy of the clone with no ../shared beside it: only the fixtures skips allowed
test-fresh: setup
	.ci/test-fresh $(VENV)

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

docs: python-deps
	$(BIN)/svckg docs --out build/docs

clean:
	rm -rf $(VENV) web/node_modules web/dist build .pytest_cache
