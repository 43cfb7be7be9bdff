"""Reads an Odoo test log; prints the verdict and "N passed, N failed" as last line.

Exit code 1 on a failed or erroring test, a skipped browser tour, an ERROR/CRITICAL log
line, a non-zero Odoo exit code, a run with no test at all or a failed lint (the
optional fourth argument is the exit code of scripts/lint.sh).
"""

import re
import sys

log_path, odoo_rc, elapsed = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lint_rc = int(sys.argv[4]) if len(sys.argv) > 4 else 0
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
if lint_rc:
    problems.append("lint failed (see its output above, or run make lint)")
for line in tour_skips:
    print("SKIPPED TOUR:", line)
passed = total - failed - errors - len(skipped)
print(
    f"== {total} tests in {elapsed}s: {failed} failed, {errors} errors, "
    f"{len(skipped)} skipped"
)
for problem in problems:
    print("FAIL:", problem)
print(f"{passed} passed, {failed + errors + len(tour_skips) + bool(lint_rc)} failed")
sys.exit(1 if (failed or errors or problems) else 0)
