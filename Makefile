# Set-up and entry points. `make run` and `make test` are the README's two commands.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
# Command-line tools the workflow and tests call, as command:Debian package (Debian 12 versions
# match workflow/envs/*.yaml). Tools already on PATH (conda, environment modules) are used as
# they are; missing ones are installed with apt-get only as root or with password-less sudo.
# Several packages of one command are joined with commas: Debian's mosdepth loads libhts.so at
# run time, which only libhts-dev provides; truvari's pyabpoa, pywfa and pytabix have no wheels
# and are compiled at pip install (gcc, Python headers, zlib).
TOOLS := bcftools:bcftools samtools:samtools tabix:tabix bgzip:tabix bwa:bwa minimap2:minimap2 delly:delly \
	mosdepth:mosdepth,libhts-dev gcc:gcc,python3-dev,zlib1g-dev
# SYSTEM_PACKAGES=0: never call apt-get; only report what is missing.
SYSTEM_PACKAGES ?= 1
AS_ROOT ?= $(shell [ "$$(id -u)" = 0 ] && echo 1 || echo 0)
CONDA_HINT := mamba install -c conda-forge -c bioconda bcftools samtools htslib bwa minimap2 delly mosdepth

.PHONY: install system-packages run report test

install: system-packages $(VENV)/.installed

system-packages:
	@missing=$$(for pair in $(TOOLS); do command -v "$${pair%%:*}" >/dev/null 2>&1 || { pkgs="$${pair#*:}"; printf '%s\n' $${pkgs//,/ }; }; done | sort -u); \
	$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || missing="$$missing python3-venv"; \
	missing=$$(echo $$missing); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$(AS_ROOT)" = 1 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo=sudo; else sudo=none; fi; \
	if [ "$(SYSTEM_PACKAGES)" = 1 ] && [ "$$sudo" != none ]; then \
		echo "installing Debian packages: $$missing"; \
		$$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q $$missing; \
	else \
		echo "missing (Debian packages): $$missing"; \
		echo "install them with apt-get as root, or without root: $(CONDA_HINT)"; \
		[ "$(SYSTEM_PACKAGES)" = 0 ]; \
	fi

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -c constraints.txt -e ".[workflow,test,structure]"
	$(VENV)/bin/pip install -q --no-deps -c constraints.txt corigami  # test-only (parity tests), see pyproject.toml
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
