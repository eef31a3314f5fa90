# Two commands for a newcomer (see README): `make demo` and `make test`.
# Each sets up its own virtual environment from pyproject.toml on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test serve install clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

demo: $(BIN)/.installed
	$(BIN)/afrobiz demo

serve: $(BIN)/.installed
	$(BIN)/afrobiz serve

test: $(BIN)/.installed
	$(BIN)/python -m pytest -n 2

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
