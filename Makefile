# Set-up and entry points. `make run` and `make test` are the README's two commands.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Command-line tools the workflow and tests call (Debian 12 versions match workflow/envs/*.yaml).
APT_PACKAGES := bcftools samtools tabix bwa minimap2 delly

.PHONY: install system-packages run report test

install: system-packages $(VENV)/.installed

system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -c constraints.txt -e ".[workflow,test]"
	touch $@

# Rules call `python` and the tools: run with the venv first on PATH, as an activated venv would.
run: install
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" snakemake --profile profiles/default --cores all
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" snakemake --profile profiles/default --cores all --report results/report.html

test: install
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" pytest

# Mutation testing of the core modules (docs/testing.md): minutes to hours, not run in CI.
# MUTATE picks mutants by name, e.g. MUTATE='hicmodels.hic.stitch.*'; results stay in mutants/.
MUTATE ?= hicmodels.*
MUTATION_JOBS ?= 1
.PHONY: mutation
mutation: install
	$(VENV)/bin/pip install -q -c constraints.txt -e ".[mutation]"
	HYPOTHESIS_NO_SHRINK=1 $(VENV)/bin/mutmut run --max-children $(MUTATION_JOBS) '$(MUTATE)'
	$(VENV)/bin/python benchmarks/mutation_summary.py
