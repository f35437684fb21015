#!/usr/bin/env bash
# Prepare the demo portal and run CKAN with its workers; Ctrl-C stops them all.
# Usage: run-portal.sh VENV   (CKAN_DB_URL must be set; `make run` does it)
set -euo pipefail
venv="$1"
bin="$venv/bin"
ckan=("$bin/ckan" -c ckan.ini)
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"

if [ ! -f ckan.ini ]; then
    secret=$("$bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))')
    jwt=$("$bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))')
    mkdir -p storage
    sed -e "s|@DB_URL@|${CKAN_DB_URL}|" -e "s|@SECRET@|${secret}|" -e "s|@JWT@|${jwt}|" \
        -e "s|@STORAGE@|${here}/storage|" ckan.ini.in > ckan.ini
    echo "Wrote ckan.ini"
fi

"${ckan[@]}" db upgrade >/dev/null
for plugin in postgres_search harvest opendata_governance reuse_tracker territorial_consolidation; do
    "${ckan[@]}" db upgrade -p "$plugin" >/dev/null
done
"${ckan[@]}" validation init-db >/dev/null 2>&1 || true

if ! "${ckan[@]}" user show admin 2>/dev/null | grep -q "name=admin"; then
    password="${CKAN_ADMIN_PASSWORD:-$("$bin/python" -c 'import secrets; print(secrets.token_urlsafe(12))')}"
    "${ckan[@]}" user add admin email=admin@example.org password="$password" >/dev/null
    "${ckan[@]}" sysadmin add admin >/dev/null
    if [ -n "${CKAN_ADMIN_PASSWORD:-}" ]; then
        echo "Sysadmin 'admin' created with the password from CKAN_ADMIN_PASSWORD"
    else
        echo "Sysadmin 'admin' created with password: $password (shown once)"
    fi
fi

"${ckan[@]}" opendata-demo load
"${ckan[@]}" reuse-tracker demo load
"${ckan[@]}" territorial-consolidation demo load
"${ckan[@]}" territorial-consolidation consolidation-demo
# Datasets of an older demo (or portal) still under licence aliases get the register's ids.
"${ckan[@]}" opendata-governance licences migrate >/dev/null \
    || echo "Some datasets keep a licence outside the register: ckan -c ckan.ini opendata-governance licences migrate --dry-run"

pids=()
cleanup() {
    trap - INT TERM EXIT
    echo "Stopping..."
    kill "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

"${ckan[@]}" jobs worker >/dev/null 2>&1 & pids+=($!)
"${ckan[@]}" harvester gather-consumer >/dev/null 2>&1 & pids+=($!)
"${ckan[@]}" harvester fetch-consumer >/dev/null 2>&1 & pids+=($!)
echo "Portal on http://127.0.0.1:5000 (Ctrl-C stops it)"
"${ckan[@]}" run --host 127.0.0.1 --port 5000 --disable-reloader & pids+=($!)
wait "${pids[-1]}"
