# lawlearn — `make run` serves the site; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
CATALOGS := lawlearn/translations

.PHONY: run test install install-dev translations messages bench lint clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "lawlearn needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

# Compiled catalogs (.mo) are build output, made from the .po files on every build.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d $(CATALOGS) 2>&1 | grep -v '^compiling' || true
	@test -n "$$(find $(CATALOGS) -name '*.mo')" || (echo "translations did not compile" && false)

# Re-extract the strings after changing the UI, then translate the new ones in the .po files.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -o $(CATALOGS)/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i $(CATALOGS)/messages.pot -d $(CATALOGS) --no-fuzzy-matching --ignore-obsolete

PORT ?= 5000
run: install
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Two workers (pytest-xdist; a file's tests stay on one worker); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
test: install-dev
	$(BIN)/python -m pytest $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile) $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check lawlearn tests bench

clean:
	rm -rf $(VENV) build *.egg-info
	find $(CATALOGS) -name '*.mo' -delete

bench: install-dev
	for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done
