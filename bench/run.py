"""Runs every ``case_*`` of ``bench/cases_*.py`` in one database, then rolls back.

Usage (see scripts/bench.sh): python bench/run.py <odoo options> -- [case name filter]
"""

import importlib
import os
import platform
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
    print(
        f"Benchmark on {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, repeat {bench.repeat} (median)"
    )
    print(bench.table())


if __name__ == "__main__":
    main()
