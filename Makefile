# The two commands a newcomer needs: `make run` and `make test`. Everything else is a convenience.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export PORT
# In an intranet bundle (make bundle) the wheels come along in wheels/: install from them alone,
# never from a package index (docs/DEPLOYMENT.md, 内网安装).
WHEELS := $(wildcard wheels/*.whl)
PIP_FROM := $(if $(WHEELS),--no-index --find-links wheels,)

.PHONY: run serve test install install-dev bench bundle clean help

help:
	@echo "make run    set up .venv, migrate, load demo data and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   run the whole test suite (SQLite unless DATABASE_URL is set)"
	@echo "make serve  like run, without the demo: a real county's machine (after manage.py bootstrap; docs/DEPLOYMENT.md)"
	@echo "make bundle one archive in dist/ for a closed intranet: source and the pinned wheels (docs/DEPLOYMENT.md)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(if $(WHEELS),,$(BIN)/python -m pip install --quiet --upgrade pip)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check $(PIP_FROM) -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py demo
	$(BIN)/python manage.py serve --port $(PORT)

# A real county: no demo data (its county comes from manage.py bootstrap and its imports).
serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py serve --port $(PORT)

# The suite runs on every core (pytest-xdist): each worker has its own test database and live-server
# port. TEST_WORKERS=0 runs it in this one process (a debugger, -x, print statements).
TEST_WORKERS ?= auto
test: install-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

bench: install-dev
	$(BIN)/python bench/inbox.py

bundle: | $(BIN)/python
	$(BIN)/python deploy/bundle.py

clean:
	rm -rf $(VENV) var/static
