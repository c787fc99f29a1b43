# The two commands of the README, and what they need on a fresh machine.
#   make demo   run the app with demo data at http://127.0.0.1:5000 (PORT=8000 make demo)
#   make test   the test suite on SQLite; TEST_DATABASE_URL=postgresql://... make test for PostgreSQL
VENV ?= .venv
PORT ?= 5000
BIN = $(VENV)/bin

$(BIN)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

.PHONY: demo test lint translations wheel-check
demo: $(BIN)/.installed
	tools/system-packages.sh
	$(BIN)/flask --app evac demo --port $(PORT)

test: $(BIN)/.installed
	tools/system-packages.sh --test
	$(BIN)/pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# After changing user-facing strings: extract them, update the catalogues, then translate the
# new entries in translations/*/LC_MESSAGES/messages.po and compile.
translations: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_pgettext:1c,2 --no-location --sort-output \
	  --project evac -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --width 100 --no-fuzzy-matching
	$(BIN)/python tools/fill_english.py
	$(BIN)/pybabel compile -d translations --statistics

# `pip install .` must give a working app: the wheel must hold the templates, translations,
# migrations, fonts and data that live outside evac/ in the repository.
wheel-check: $(BIN)/.installed
	rm -rf build/wheel-check && $(BIN)/pip wheel -q --no-deps -w build/wheel-check .
	$(BIN)/python tools/check_wheel.py build/wheel-check/*.whl
