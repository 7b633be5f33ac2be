#!/usr/bin/env bash
# Upgrade check: install an earlier version of the addon (a git ref, 18.0.1.2.0 by default) with its
# demo data, keep a copy of its partners, upgrade to the working tree, and compare every figure the
# engine had stored on the partners with the rows of sale.customer.metrics; stage history, plans,
# feedback and the inputs people typed must be intact. Needs Odoo 18 importable by python3 and a
# local PostgreSQL. Usage: tools/check_upgrade.sh [REF]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
ref=${1:-611988c}
work=$(mktemp -d)
db="sale_customer_base_upgrade_$$"
odoo_root=$(python3 -c 'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))')
git worktree add -q --detach "$work/old" "$ref"
mkdir "$work/old_addons" "$work/new_addons"
ln -s "$work/old" "$work/old_addons/sale_customer_base"
ln -s "$root" "$work/new_addons/sale_customer_base"
cleanup() { dropdb --if-exists "$db" >/dev/null 2>&1; git worktree remove --force "$work/old"; rm -rf "$work"; }
trap cleanup EXIT
run() { python3 -m odoo -d "$db" --db_host= --http-port=0 --stop-after-init --log-level=warn "$@" >"$work/odoo.log" 2>&1 \
  || { tail -n 30 "$work/odoo.log"; exit 1; }; }
echo "installing $ref with its demo data..."
run --addons-path="$odoo_root/odoo/addons,$work/old_addons" -i sale_customer_base
psql -qd "$db" -c "CREATE TABLE upgrade_partners_before AS SELECT * FROM res_partner"
counts="SELECT (SELECT COUNT(*) FROM sale_customer_stage_history), (SELECT COUNT(*) FROM sale_customer_key_account),
               (SELECT COUNT(*) FROM sale_customer_feedback), (SELECT COUNT(*) FROM sale_customer_reactivation)"
before=$(psql -tAd "$db" -c "$counts")
echo "upgrading to the working tree..."
run --addons-path="$odoo_root/odoo/addons,$work/new_addons" -u sale_customer_base
after=$(psql -tAd "$db" -c "$counts")
python3 - "$db" "$before" "$after" <<'PY'
import sys

import psycopg2

sys.path.insert(0, ".")
db, before, after = sys.argv[1:]
# the columns the engine wrote, by name and SQL type, as the upgrade found them
import ast, pathlib
def fields(path, name):
    tree = ast.parse(pathlib.Path(path).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return dict(ast.literal_eval(node.value).values())
columns = fields("models/sale_customer_base_engine.py", "METRIC_FIELDS") | fields(
    "models/sale_customer_contact_engine.py", "CONTACT_FIELDS"
)
cr = psycopg2.connect(dbname=db).cursor()
# the figures the old version stored (a figure added since has nothing to compare with)
cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'upgrade_partners_before'")
stored_before = {row[0] for row in cr.fetchall()}
columns = {name: sql_type for name, sql_type in columns.items() if name in stored_before}
held = """FROM upgrade_partners_before AS b
          JOIN res_company AS c ON b.customer_stage ? c.id::text OR b.customer_order_count ? c.id::text
                                   OR b.contact_rule_id ? c.id::text
          LEFT JOIN sale_customer_metrics AS m ON m.partner_id = b.id AND m.company_id = c.id
         WHERE b.id = b.commercial_partner_id"""
cr.execute(f"SELECT COUNT(*) {held}")
customers = cr.fetchone()[0]
differences = 0
for name, sql_type in columns.items():
    cr.execute(f"SELECT COUNT(*) {held} AND (m.id IS NULL OR (b.{name} ->> c.id::text)::{sql_type} IS DISTINCT FROM m.{name})")
    count = cr.fetchone()[0]
    if count:
        print(f"  {name}: {count} customers differ")
    differences += count
cr.execute("""SELECT COUNT(*) FROM upgrade_partners_before AS b JOIN res_partner AS p ON p.id = b.id
               WHERE (b.share_of_wallet, b.is_customer_advocate, b.key_account_reason, b.key_account_manager_id,
                      b.referred_by_id) IS DISTINCT FROM
                     (p.share_of_wallet, p.is_customer_advocate, p.key_account_reason, p.key_account_manager_id,
                      p.referred_by_id)""")
inputs = cr.fetchone()[0]
calendar = ["days_since_last_order", "temperature_contact_days", "contact_days_overdue"]  # counted when read now
cr.execute("SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'res_partner' AND column_name = ANY(%s)",
           [[*columns, *calendar]])
left = cr.fetchone()[0]
print(f"{customers} customers x {len(columns)} figures: {differences} differences; inputs changed: {inputs}; "
      f"old columns left on res_partner: {left}; history, plans, feedback, win-backs before {before}, after {after}")
sys.exit(1 if differences or inputs or left or before != after else 0)
PY
