#!/usr/bin/env bash
# Run every test of the project: the pure analytics tests always, the addon's
# Odoo tests wherever Odoo 18 is importable by python3. Ends with one line
# "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
passed=0
failed=0

python3 -c 'import pandas, xlsxwriter, scipy, pytest, openpyxl' 2>/dev/null \
  || python3 -m pip install -q -r requirements.txt -r requirements-test.txt

echo "== Pure analytics tests (pytest) =="
out=$(cd analytics/tests && python3 -m pytest -p no:cacheprovider 2>&1)
status=$?
echo "$out" | tail -n 15
p=$(echo "$out" | grep -Eo '[0-9]+ passed' | tail -1 | grep -Eo '[0-9]+' || true)
f=$(echo "$out" | grep -Eo '[0-9]+ (failed|errors?)' | awk '{s += $1} END {print s + 0}')
passed=$((passed + ${p:-0}))
failed=$((failed + ${f:-0}))
if [ "$status" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then failed=$((failed + 1)); fi

echo "== Odoo tests =="
if ! python3 -c 'import odoo.release' 2>/dev/null; then
  echo "Odoo tests skipped: Odoo 18 is not importable by python3 on this machine."
else
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    echo "Installing PostgreSQL (Debian package)..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null
  fi
  for cluster in $(pg_lsclusters -h 2>/dev/null | awk '$4 != "online" {print $1 "/" $2}'); do
    pg_ctlcluster --skip-systemctl-redirect "${cluster%/*}" "${cluster#*/}" start || true
  done
  psql -d postgres -tAc 'select 1' >/dev/null 2>&1 \
    || su postgres -c "createuser -s $(whoami)" >/dev/null 2>&1 || true
  # The browser tours (tests/test_customer_base_tours.py) need Chromium and websocket-client.
  python3 -c 'import websocket' 2>/dev/null || python3 -m pip install -q websocket-client >/dev/null 2>&1
  if ! command -v chromium >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
    echo "Installing Chromium (Debian package) for the browser tours..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1
  fi
  if ! command -v chromium >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
    echo "Browser tours skipped: no Chromium on this machine (Odoo skips them)."
  fi
  odoo_root=$(python3 -c 'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))')
  addons=$(mktemp -d)
  ln -s "$root" "$addons/sale_customer_base"
  db="sale_customer_base_test_$$"
  log="$addons/odoo-test.log"
  dropdb --if-exists "$db" >/dev/null 2>&1
  python3 -m odoo -d "$db" --db_host= --addons-path="$odoo_root/odoo/addons,$addons" \
    -i sale_customer_base --test-enable --test-tags /sale_customer_base \
    --stop-after-init --log-level=test --http-port=0 >"$log" 2>&1
  status=$?
  grep -E '(ERROR|CRITICAL|WARNING)' "$log" | head -n 40
  result=$(grep 'odoo.tests.result' "$log" | tail -1)
  echo "${result:-no test result line in the Odoo log (exit $status)}"
  if [[ "$result" =~ ([0-9]+)\ failed,\ ([0-9]+)\ error\(s\)\ of\ ([0-9]+)\ tests ]]; then
    bad=$((BASH_REMATCH[1] + BASH_REMATCH[2]))
    passed=$((passed + BASH_REMATCH[3] - bad))
    failed=$((failed + bad))
  else
    failed=$((failed + 1))
  fi
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; tail -n 40 "$log"; fi
  dropdb --if-exists "$db" >/dev/null 2>&1
  rm -rf "$addons"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
