# The two commands of the README:  make demo   and   make test
# Each creates the virtual environment it needs (.venv) with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench-li-lim clean

$(STAMP): pyproject.toml package-lock.json scripts/system_packages.sh
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 / Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	bash scripts/system_packages.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@command -v npm >/dev/null || { echo "需要 Node.js 与 npm / Node.js and npm are required (the web pages' assets)"; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(STAMP)

# Builds the demo day into SHUYUN_DATABASE_URL (default out/shuyun.sqlite), plans it, writes the
# route sheets to out/demo/ and serves the API with demo accounts until Ctrl-C. Run again on a
# database that holds data: make demo DEMO_FLAGS=--reset (says what it removes first).
DEMO_FLAGS ?=

demo: $(STAMP)
	$(BIN)/shuyun demo --out out/demo $(DEMO_FLAGS)

test: $(STAMP)
	bash scripts/check.sh

clean:
	rm -rf $(VENV) out .mypy_cache .pytest_cache .ruff_cache
