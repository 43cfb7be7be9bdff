#!/usr/bin/env bash
# `make wheel`: builds dist/odoo_addon_sales_order_plus-<version>-py3-none-any.whl with
# whool (the add-on's pyproject.toml), the way OCA publishes add-ons on PyPI, and shows
# its name, version and dependencies. whool packs the files git tracks: commit first.
source "$(dirname "$0")/env.sh"

bash "$ROOT/scripts/setup.sh"
rm -rf "$ROOT/dist"
"$PY" -m pip wheel -q --no-deps -w "$ROOT/dist" "$ROOT/sales_order_plus"
wheel=$(ls "$ROOT"/dist/odoo_addon_sales_order_plus-*.whl)
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
