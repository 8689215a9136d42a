"""`make system-packages`: tools already on PATH are used as they are; apt-get only with root or sudo."""

import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO

TOOLS = ("bcftools", "samtools", "tabix", "bgzip", "bwa", "minimap2", "mosdepth", "gcc", "delly")


def system_packages(tmp_path, present, as_root, sudo_works, **options):
    """Run the target with only ``present`` tools (stubs) on PATH; return (exit code, output, apt calls)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    for tool in ("sort",):
        os.symlink(shutil.which(tool), bin_dir / tool)
    calls = tmp_path / "apt.log"
    stubs = {tool: "exit 0" for tool in present}
    stubs["apt-get"] = f'echo "apt-get $*" >> {calls}'
    stubs["sudo"] = f'[ "$1" = -n ] && {"exit 0" if sudo_works else "exit 1"}; "$@"'
    for name, body in stubs.items():
        (bin_dir / name).write_text(f"#!/bin/bash\n{body}\n")
        (bin_dir / name).chmod(0o755)
    args = [f"AS_ROOT={int(as_root)}", f"PYTHON={sys.executable}", *(f"{k}={v}" for k, v in options.items())]
    result = subprocess.run([shutil.which("make"), "-s", "-C", str(REPO), "system-packages", *args],
                            env={"PATH": str(bin_dir)}, capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr, calls.read_text().splitlines() if calls.exists() else []


def test_tools_on_path_need_no_root_and_no_apt(tmp_path):
    code, output, apt = system_packages(tmp_path, TOOLS, as_root=False, sudo_works=False)
    assert (code, output, apt) == (0, "", [])


@pytest.mark.parametrize("as_root, sudo_works", [(True, False), (False, True)])
def test_missing_tools_are_installed_with_root_or_sudo(tmp_path, as_root, sudo_works):
    code, output, apt = system_packages(tmp_path, ("bcftools", "samtools", "bwa", "minimap2", "gcc"), as_root,
                                        sudo_works)
    assert code == 0 and "installing Debian packages: delly libhts-dev mosdepth tabix" in output
    assert apt == ["apt-get update -q", "apt-get install -y -q delly libhts-dev mosdepth tabix"]


def test_without_root_missing_tools_are_named_with_a_conda_line(tmp_path):
    code, output, apt = system_packages(tmp_path, TOOLS[:-1], as_root=False, sudo_works=False)
    assert code != 0 and apt == []
    assert "missing (Debian packages): delly" in output and "mamba install -c conda-forge -c bioconda" in output
    code, output, apt = system_packages(tmp_path / "opt-out", TOOLS[:-1], as_root=True, sudo_works=True,
                                        SYSTEM_PACKAGES=0)
    assert code == 0 and apt == [] and "missing (Debian packages): delly" in output
