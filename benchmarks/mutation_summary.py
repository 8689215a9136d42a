"""Mutants per module and their fate, from mutmut's result files (``mutants/**/*.py.meta``).

Run after ``mutmut run`` (``make mutation``). Statuses are mutmut's own
(``mutmut.stats.status_by_exit_code``). The kill rate is killed (timeouts
included, as mutmut counts them) over checked mutants; ``no tests`` mutants
(code no selected test runs) count as survivors. With ``--survivors`` the
surviving mutant names are listed too (show one with ``mutmut show NAME``).
"""

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

KILLED = {"killed", "timeout", "segfault", "caught by type check"}


def summarize(root="mutants"):
    rows = []
    for meta in sorted(Path(root).rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        status = {k: status_by_exit_code[c] for k, c in codes.items()}
        module = str(meta.relative_to(root)).removeprefix("src/").removesuffix(".py.meta").replace("/", ".")
        rows.append((module, status))
    return rows


def main(argv):
    root = next((a for a in argv[1:] if not a.startswith("--")), "mutants")
    print("module\tmutants\tchecked\tkilled\tsurvived\tno_tests\tkill_rate")
    survivors = []
    for module, status in summarize(root):
        count = Counter(status.values())
        checked = len(status) - count["not checked"]
        killed = sum(count[s] for s in KILLED)
        if checked:
            print(f"{module}\t{len(status)}\t{checked}\t{killed}\t{count['survived']}\t{count['no tests']}\t"
                  f"{killed / checked:.1%}")
        survivors += [k for k, s in status.items() if s in ("survived", "no tests")]
    if "--survivors" in argv:
        print("\n".join(survivors))


if __name__ == "__main__":
    main(sys.argv)
