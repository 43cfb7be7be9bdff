"""Reads an Odoo test log; prints the verdict and "N passed, N failed" as last line.

Further checks run by test.sh (lint, the install/upgrade/uninstall check) come as
"name=exit code" arguments, each counted as one test.

Exit code 1 on a failed or erroring test, a skipped browser tour, an ERROR/CRITICAL log
line, a failed further check, a non-zero Odoo exit code or a run with no test at all.
"""

import re
import sys

log_path, odoo_rc, elapsed = sys.argv[1], int(sys.argv[2]), sys.argv[3]
extra_checks = [arg.split("=", 1) for arg in sys.argv[4:]]
total = failed = errors = 0
skipped, tour_skips, error_lines = [], [], []
result_re = re.compile(
    r"odoo\.tests\.result: (\d+) failed, (\d+) error\(s\) of (\d+) tests"
)
level_re = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ")
# HttpCase skips with these reasons when chromium or websocket-client is missing.
tour_skip_re = re.compile(r"chrom|websocket|browser|devtools", re.I)

with open(log_path, errors="replace") as log:
    for line in log:
        match = result_re.search(line)
        if match:
            failed, errors, total = map(int, match.groups())
        if level_re.match(line):
            error_lines.append(line.rstrip()[:300])
        if ": skipped " in line:
            skipped.append(line)
            if tour_skip_re.search(line.split(": skipped ", 1)[1]):
                tour_skips.append(line.rstrip()[:300])

problems = []
if odoo_rc:
    problems.append(f"Odoo exited with code {odoo_rc}")
if not total:
    problems.append("no test ran")
if tour_skips:
    problems.append(f"{len(tour_skips)} browser tour(s) skipped")
if error_lines:
    problems.append(f"{len(error_lines)} ERROR/CRITICAL log line(s)")
extra_failed = [name for name, code in extra_checks if code != "0"]
for name in extra_failed:
    problems.append(f"{name} check failed (see its output above)")
for line in tour_skips:
    print("SKIPPED TOUR:", line)
passed = total - failed - errors - len(skipped) + len(extra_checks) - len(extra_failed)
print(
    f"== {total} tests in {elapsed}s: {failed} failed, {errors} errors, "
    f"{len(skipped)} skipped; further checks: "
    + (
        ", ".join(
            f"{name} {'ok' if code == '0' else 'FAILED'}" for name, code in extra_checks
        )
        or "none"
    )
)
for problem in problems:
    print("FAIL:", problem)
print(
    f"{passed} passed, {failed + errors + len(tour_skips) + len(extra_failed)} failed"
)
sys.exit(1 if (failed or errors or problems) else 0)
