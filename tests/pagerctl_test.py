#!/usr/bin/env python3
"""pagerctl_test.py PAGERCTL FIXTURES SCHEMA -- the `pagerctl` suite of `make test`.

Runs pagerctl info/verify on files every component made (tests/pagerctl_fixtures.c, public C
API), healthy and damaged (a flipped checksum byte, a truncation, a wrong magic, a missing
file, a future format version, a file locked by a writer), and checks the output, the exit
status (0 clean, 1 damaged, 2 cannot tell) and that every --json output validates against
the committed schema (python3-jsonschema). Every run also proves the command is read-only:
the SHA-256 of every file and the list of names in the fixture directory are the same after
it. Prints one line per test and "#result <passed> <failed>" last (tests/run_cmd.sh).

The tests live by command group in tests/pagerctl/ (common.py: what they share;
info_verify.py, dump.py, maintenance.py, journal.py); each runs when its module is imported.
"""
import shutil
import sys

# Each group module runs its tests when imported, in this order.
from pagerctl.common import ROOT, results
import pagerctl.info_verify  # noqa: E402,F401
import pagerctl.dump  # noqa: E402,F401
import pagerctl.maintenance  # noqa: E402,F401
import pagerctl.journal  # noqa: E402,F401

shutil.rmtree(ROOT, ignore_errors=True)
print(f"#result {results['passed']} {results['failed']}")
sys.exit(1 if results["failed"] else 0)
