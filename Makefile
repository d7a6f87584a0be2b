# normdocs: `make demo` runs the library on the local mirror and serves it; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-fast lint format fixtures clean chromium redis

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,mirror]'
	touch $(STAMP)

demo: install
	$(BIN)/normdocs demo --db data/demo.db --port 8001

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Everything: the mirror, real crawls, Datasette and Chromium (what .ci/run runs).
test: install lint
	$(BIN)/pytest -q -rs

# What needs no subprocess and no server (tests/lanes.py): under a minute, for every edit.
test-fast: install
	$(BIN)/pytest -q --fast

# Debian's Chromium (and a CJK font for readable screenshots) for tests/test_browser.py, which
# Playwright drives at /usr/bin/chromium; apt needs root. Without it those tests are skipped,
# unless NORMDOCS_REQUIRE_BROWSER=1 (as in .ci/run).
chromium:
	test -x /usr/bin/chromium || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-wqy-zenhei fonts-liberation)

# Debian's Redis server for the distributed crawl's tests (tests start their own server on a
# socket of their own; nothing listens on the machine's ports). apt needs root.
redis:
	test -x /usr/bin/redis-server || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server)

clean:
	rm -rf $(VENV) data build test-artifacts .pytest_cache
