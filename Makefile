# The two commands of the README: `make run` and `make test`.
VENV ?= .venv

.PHONY: run test lint bench

run:
	scripts/setup
	$(VENV)/bin/paydesk demo
	$(VENV)/bin/paydesk serve

test:
	scripts/setup --system
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/python -m pytest -n 2 -q

lint:
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

bench:
	$(VENV)/bin/python bench/codes.py
