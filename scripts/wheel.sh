#!/usr/bin/env bash
# `make wheel`: builds one wheel per add-on of the repository into dist/
# (odoo_addon_sales_order_plus-<version>-py3-none-any.whl and one per glue add-on,
# e.g. odoo_addon_sales_order_plus_sale_mrp) with whool (each add-on's pyproject.toml),
# the way OCA publishes add-ons on PyPI, and shows their name, version and
# dependencies. whool packs the files git tracks: commit first.
source "$(dirname "$0")/env.sh"

bash "$ROOT/scripts/setup.sh"
rm -rf "$ROOT/dist"
for manifest in "$ROOT"/*/__manifest__.py; do
    addon=$(basename "$(dirname "$manifest")")
    pip_run wheel -q --no-deps -w "$ROOT/dist" "$ROOT/$addon"
done
for wheel in "$ROOT"/dist/odoo_addon_*.whl; do
    echo "== ${wheel#"$ROOT"/}"
    "$PY" - "$wheel" <<'PY'
import sys
import zipfile

with zipfile.ZipFile(sys.argv[1]) as whl:
    name = next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))
    for line in whl.read(name).decode().splitlines():
        if line.startswith(("Name:", "Version:", "Requires-Dist:", "Requires-Python:")):
            print("  " + line)
PY
done
