# The two commands of the README: `make run` and `make test`.
VENV ?= .venv

.PHONY: run test lint bench messages

run:
	scripts/setup
	$(VENV)/bin/paydesk demo
	$(VENV)/bin/paydesk serve

test:
	scripts/setup --system
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/python -m pytest -n 2 -q

lint:
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

bench:
	$(VENV)/bin/python bench/codes.py

# Web page translations: extract the messages, merge them into the el and pl catalogs, compile.
LOCALE = src/paydesk/web/locale
messages:
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --project paydesk \
		--header-comment "# Messages of the paydesk web pages." --msgid-bugs-address "" -o $(LOCALE)/messages.pot .
	$(VENV)/bin/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages -w 100 --ignore-pot-creation-date
	$(VENV)/bin/pybabel compile -d $(LOCALE) -D messages --statistics
