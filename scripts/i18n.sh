#!/usr/bin/env bash
# Regenerates sales_order_plus/i18n/sales_order_plus.pot from the code (Odoo's exporter, on a
# throwaway database with the add-on installed) and merges it into every .po file, keeping
# their translations. New terms come out untranslated: translate them, then `make test`
# (a test checks the German terms).
source "$(dirname "$0")/env.sh"
DB=sop_i18n_$$
I18N=$ROOT/sales_order_plus/i18n

bash "$ROOT/scripts/setup.sh"
bash "$ROOT/scripts/pg.sh" start
trap 'dropdb -h "$PGHOST" -p "$PGPORT" -U odoo --if-exists "$DB" >/dev/null 2>&1' EXIT
odoo_bin -d "$DB" -i sales_order_plus --without-demo=all --stop-after-init \
    --log-level=warn --max-cron-threads=0
odoo_bin -d "$DB" --i18n-export="$I18N/sales_order_plus.pot" --modules=sales_order_plus \
    --language=en_US --log-level=warn
# Odoo stamps creation dates: drop them so that a regeneration without changes is no diff.
sed -i '/^"POT-Creation-Date: /d; /^"PO-Revision-Date: /d' "$I18N/sales_order_plus.pot"
for po in "$I18N"/*.po; do
    msgmerge --quiet --no-fuzzy-matching --update --backup=none "$po" "$I18N/sales_order_plus.pot"
    # Terms gone from the code go from the translations too.
    msgattrib --no-obsolete -o "$po" "$po"
    printf '%s: ' "$(basename "$po")"
    msgfmt --statistics -o /dev/null "$po"
done
