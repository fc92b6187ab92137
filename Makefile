# One-command set-up: every target creates what it needs on first use.
#   make build   builds every format of every workbook in source/ into build/
#   make test    installs the real validators and runs the whole test suite
#                (make check-js: ESLint and node --test over the JavaScript, first)
PYTHON   ?= python3
VENV     := .venv
PY       := $(VENV)/bin/python
BRAND    ?= default
JOBS     ?= 2
SOURCE_DATE_EPOCH ?= 1767225600
export SOURCE_DATE_EPOCH

.PHONY: build test validate bench serve clean setup setup-python setup-validators catalogs

# The PDF needs Pango and HarfBuzz from the system (tools/install-system-packages.sh,
# which does nothing when every package is there).
build: setup-python setup-system-packages
	$(PY) -m pipeline build --brand brands/$(BRAND) --jobs $(JOBS)

validate: setup-python
	$(PY) -m pipeline validate source/*/workbook.xml

# The scripts' lint and unit tests first: they take seconds, the pytest suite minutes.
test: setup-python setup-validators check-js
	$(PY) -m pytest

bench: setup-python setup-system-packages
	$(PY) -m pipeline.bench

# A live preview: `make serve SOURCE=source/<id>/workbook.xml BRAND=<name> PORT=8000`
# (SOURCE may be left out while source/ holds one workbook).
serve: setup-python
	$(PY) -m pipeline serve $(SOURCE) --brand brands/$(BRAND) $(if $(PORT),--port $(PORT))

# Extract the interface strings into pipeline/locale/workbook.pot and merge them into every
# language's catalog (new strings arrive untranslated; the build warns until they are done).
# Catalogs are compiled in memory by the build (pipeline/i18n.py): there is no .mo to make.
catalogs: setup-python
	$(VENV)/bin/pybabel extract -F babel.cfg -k plural_forms:1,2 --no-location --sort-output --omit-header -c TRANSLATORS: -o pipeline/locale/workbook.pot .
	$(VENV)/bin/pybabel update -i pipeline/locale/workbook.pot -d pipeline/locale -D workbook --ignore-obsolete

clean:
	rm -rf build .pytest_cache

setup: setup-python setup-validators

setup-python: $(VENV)/.installed

# editable_mode=compat puts the project folder on sys.path with a .pth line; the
# default mode installs an import hook that adds ~50 ms to every start, a third
# of the no-op rebuild budget.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]' --config-settings editable_mode=compat
	touch $@

# The system and npm validators (Java, Chromium, LibreOffice, vnu, axe-core,
# Ace, scorm-again, the SCORM XSDs) are installed by tools/setup.mk.
include tools/setup.mk
