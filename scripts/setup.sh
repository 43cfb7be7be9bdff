#!/usr/bin/env bash
# Installs what the project needs on a fresh machine: Odoo 18.0 sources (cloned when
# $ODOO_SRC is missing), a Python 3.11 venv with Odoo's requirements and the OCA add-ons,
# and Debian's chromium (browser tours) and wkhtmltopdf (PDF reports). Idempotent and quick when all is there.
source "$(dirname "$0")/env.sh"

if [ ! -x "$ODOO_SRC/odoo-bin" ]; then
    echo "== Odoo sources missing at $ODOO_SRC: cloning the 18.0 branch"
    git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo.git "$ODOO_SRC"
fi

stamp=$VENV/.sop-installed
want=$(cat "$ROOT/requirements.txt" "$ODOO_SRC/requirements.txt" "$0" | cksum)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "== Python environment in $VENV"
    [ -x "$PY" ] || python3.11 -m venv "$VENV"
    # Old sdists (e.g. vobject, pyserial) break with setuptools>=70 in their build env.
    export PIP_CONSTRAINT=$ROOT/scripts/pip-constraints.txt
    pip_run install -q --upgrade "pip<25" wheel "setuptools<70"
    # python-ldap needs LDAP headers and only serves auth_ldap, which we do not use.
    grep -v '^python-ldap' "$ODOO_SRC/requirements.txt" > "$VENV/odoo-requirements.txt"
    pip_run install -q -r "$VENV/odoo-requirements.txt"
    # compat mode: a plain editable install leaves `import odoo` resolving to the
    # namespace folder that the OCA wheels create in site-packages.
    pip_run install -q --no-deps -e "$ODOO_SRC" --config-settings editable_mode=compat
    pip_run install -q -r "$ROOT/requirements.txt"
    echo "$want" > "$stamp"
fi

# Debian's chromium for Odoo's browser tours (without it HttpCase skips every tour) and
# wkhtmltopdf for PDF reports (receipts, printed schedules, the confirmation mail that
# portal acceptance sends): both from Debian, installed together.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v wkhtmltopdf >/dev/null 2>&1 || missing+=(wkhtmltopdf)
if [ ${#missing[@]} -gt 0 ]; then
    echo "== Installing Debian's ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "${missing[*]} missing and we are not root: install it (apt-get install ${missing[*]})" >&2
        exit 1
    fi
fi
