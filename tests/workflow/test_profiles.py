"""Every rule a profile names exists: Snakemake silently ignores entries for unknown rules."""

import re

import pytest
import yaml

from conftest import REPO

RULES = {name for path in (REPO / "workflow" / "rules").glob("*.smk")
         for name in re.findall(r"^rule (\w+):", path.read_text(), flags=re.M)}


def named_rules(profile):
    """Rule names under set-threads, set-resources and groups (YTE's `?if` keys are not rules)."""
    config = yaml.safe_load(profile.read_text())
    return {name for key in ("set-threads", "set-resources", "groups") for name in config.get(key, {})
            if not name.startswith("?")}


@pytest.mark.parametrize("profile", sorted((REPO / "profiles").glob("*/config.yaml")), ids=lambda p: p.parent.name)
def test_profile_rules_exist(profile):
    assert len(RULES) > 20
    assert named_rules(profile) - RULES == set()


def test_the_check_sees_a_misspelt_rule(tmp_path):
    profile = tmp_path / "config.yaml"
    profile.write_text("set-threads:\n  align_reads: 16\n  train_model: 8\nset-resources:\n  ?if x:\n    a: 1\n")
    assert named_rules(profile) - RULES == {"align_reads"}
