"""Runs every ``case_*`` of ``bench/cases_*.py`` in one database, then rolls back.

Usage (see scripts/bench.sh): python bench/run.py <odoo options> -- [case name filter]

Prints the table; a full run (no filter) also writes it to docs/benchmark.md and into
the README's "Benchmark" section, with the date and the machine's size.
"""

import datetime
import importlib
import os
import platform
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402

from bench.harness import Bench  # noqa: E402


def main():
    args = sys.argv[1:]
    pattern = ""
    if "--" in args:
        pattern = " ".join(args[args.index("--") + 1 :])
        args = args[: args.index("--")]
    odoo.tools.config.parse_config(args)
    db = odoo.tools.config["db_name"]
    registry = odoo.modules.registry.Registry(db)
    bench_dir = os.path.dirname(os.path.abspath(__file__))
    modules = sorted(
        f[:-3]
        for f in os.listdir(bench_dir)
        if f.startswith("cases_") and f.endswith(".py")
    )
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        bench = Bench(env, repeat=int(os.environ.get("BENCH_REPEAT", 5)))
        for name in modules:
            module = importlib.import_module(f"bench.{name}")
            for case_name in sorted(n for n in dir(module) if n.startswith("case_")):
                if pattern and pattern not in f"{name}.{case_name}":
                    continue
                print(f"-- {name}.{case_name}", file=sys.stderr, flush=True)
                getattr(module, case_name)(bench)
        cr.rollback()
        cr.execute("SHOW server_version")
        pg_version = cr.fetchone()[0].split()[0]
    setting = (
        f"{datetime.date.today().isoformat()}, on {machine()}; "
        f"Odoo {odoo.release.version}, PostgreSQL {pg_version}, "
        f"Python {platform.python_version()}; median of {bench.repeat} runs"
    )
    print(f"Benchmark of {setting}")
    print(bench.table())
    if not pattern:
        write_docs(setting, bench.table())


def machine():
    """Cores, memory and processor model, as the figures depend on them."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            models = [line.split(":", 1)[1] for line in cpuinfo if "model name" in line]
        model = models[0].strip() if models else ""
    except OSError:
        pass
    size = f"{os.cpu_count()} cores, {memory:.0f} GiB"
    return f"{size} ({model})" if model else size


BEGIN, END = "<!-- benchmark:begin -->", "<!-- benchmark:end -->"


def write_docs(setting, table):
    """docs/benchmark.md, and the same table between the README's markers."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    block = (
        f"Measured {setting}. Milliseconds and SQL queries per flow, each next to "
        "plain Odoo measured in the same run; the ratios compare with that baseline. "
        "Figures only, no pass/fail: times vary with the machine's load, query counts "
        "do not."
        f"\n\n{table}\n"
    )
    os.makedirs(os.path.join(root, "docs"), exist_ok=True)
    with open(os.path.join(root, "docs", "benchmark.md"), "w") as doc:
        doc.write(f"# Benchmark (`make bench`)\n\n{block}")
    readme = os.path.join(root, "README.md")
    with open(readme) as f:
        text = f.read()
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: f"{BEGIN}\n{block}{END}", text)
        with open(readme, "w") as f:
            f.write(text)
    print("Written to docs/benchmark.md and README.md", file=sys.stderr)


if __name__ == "__main__":
    main()
