#!/usr/bin/env bash
# Prepare the demo portal and serve it with gunicorn, next to the jobs worker, the
# harvest gather/fetch consumers and the harvest scheduler; Ctrl-C stops them all.
# Usage: run-portal.sh VENV [dev]   (CKAN_DB_URL must be set; `make run` / `make dev` do it)
# Environment: PORT (5000), HOST (127.0.0.1), WEB_WORKERS (cores + 1), WEB_THREADS (4),
# REDIS_URL (redis://127.0.0.1:6379/0), CKAN_ADMIN_PASSWORD.
# `dev` serves with `ckan run` and its reloader instead of gunicorn (debugging).
set -euo pipefail
venv="$1"
mode="${2:-run}"
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
bin="$here/$venv"
[ -d "$bin" ] || bin="$venv"
bin="$bin/bin"
ckan=("$bin/ckan" -c ckan.ini)
port="${PORT:-5000}"
host="${HOST:-127.0.0.1}"
url="http://${host}:${port}"
redis_url="${REDIS_URL:-redis://127.0.0.1:6379/0}"

# The DataStore beside the database (make run's portal-db created it).
read -r CKAN_DATASTORE_WRITE_URL CKAN_DATASTORE_READ_URL < <("$bin/python" -c 'import sys
from ckanext.suite.datastore_db import datastore_urls
print(*datastore_urls(sys.argv[1]))' "$CKAN_DB_URL")
if [ ! -f ckan.ini ]; then
    secret=$("$bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))')
    jwt=$("$bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))')
    mkdir -p storage
    sed -e "s|@DB_URL@|${CKAN_DB_URL}|" -e "s|@DS_WRITE_URL@|${CKAN_DATASTORE_WRITE_URL}|" \
        -e "s|@DS_READ_URL@|${CKAN_DATASTORE_READ_URL}|" -e "s|@SECRET@|${secret}|" -e "s|@JWT@|${jwt}|" \
        -e "s|@STORAGE@|${here}/storage|" -e "s|@SITE_URL@|${url}|" \
        -e "s|^ckan.redis.url = .*|ckan.redis.url = ${redis_url}|" ckan.ini.in > ckan.ini
    echo "Wrote ckan.ini"
fi
# The database `make run` prepared, the port and Redis asked for: CKAN's environment
# variables win over ckan.ini, in every process started below.
export CKAN_SQLALCHEMY_URL="$CKAN_DB_URL"
export CKAN_SITE_URL="${CKAN_SITE_URL:-$url}"
export CKAN_DATASTORE_WRITE_URL CKAN_DATASTORE_READ_URL
if [ -n "${REDIS_URL:-}" ]; then export CKAN_REDIS_URL="$REDIS_URL"; fi
export CKAN_INI="$here/ckan.ini"

# ckanext-validation's table first, without loading the plugins: every command below
# then starts without the plugin's "requires a database setup" alarm.
"$bin/python" -m ckanext.suite.validation_compat "$CKAN_SQLALCHEMY_URL" >/dev/null
"${ckan[@]}" db upgrade >/dev/null
for plugin in postgres_search harvest opendata_governance reuse_tracker territorial_consolidation; do
    "${ckan[@]}" db upgrade -p "$plugin" >/dev/null
done

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

# The jobs worker loads uploads into the DataStore through the web server, with a token
# of the site user (ckanext-xloader): created once, kept in ckan.ini, before the demo's
# uploads ask for their loads.
if grep -q "^ckanext.xloader.api_token = NOT_SET" ckan.ini; then
    token=$("${ckan[@]}" opendata-governance datastore-token | tail -n1)
    "${ckan[@]}" config-tool ckan.ini "ckanext.xloader.api_token=${token}" >/dev/null
fi
"${ckan[@]}" opendata-demo load
"${ckan[@]}" reuse-tracker demo load
"${ckan[@]}" territorial-consolidation demo load
"${ckan[@]}" territorial-consolidation consolidation-demo
# Datasets of an older demo (or portal) still under licence aliases get the register's ids.
"${ckan[@]}" opendata-governance licences migrate >/dev/null \
    || echo "Some datasets keep a licence outside the register: ckan -c ckan.ini opendata-governance licences migrate --dry-run"
# Every CSS/JS bundle compiled now, so that the web server finds them all at start-up.
"${ckan[@]}" asset build >/dev/null

pids=()
cleanup() {
    trap - INT TERM EXIT
    echo "Stopping..."
    kill "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

logs="$here/logs"
mkdir -p "$logs"
"${ckan[@]}" jobs worker >>"$logs/worker.log" 2>&1 & pids+=($!)
"${ckan[@]}" harvester gather-consumer >>"$logs/gather-consumer.log" 2>&1 & pids+=($!)
"${ckan[@]}" harvester fetch-consumer >>"$logs/fetch-consumer.log" 2>&1 & pids+=($!)
# Cron's lines for a running portal: harvest jobs to the gather queue, refused mails again.
"$bin/python" scripts/harvest_scheduler.py -c ckan.ini --command "harvester run" \
    --command "mail-outbox flush" >>"$logs/harvest-scheduler.log" 2>&1 & pids+=($!)
if [ "$mode" = dev ]; then
    echo "Logs: $logs/{worker,gather-consumer,fetch-consumer,harvest-scheduler}.log"
    echo "Portal (development server, reloads on change) on $url (Ctrl-C stops it)"
    "${ckan[@]}" run --host "$host" --port "$port" & pids+=($!)
else
    echo "Logs: $logs/{worker,gather-consumer,fetch-consumer,harvest-scheduler,access}.log"
    echo "Portal on $url (Ctrl-C stops it)"
    WEB_BIND="$host:$port" WEB_ACCESS_LOG="$logs/access.log" \
        "$bin/gunicorn" -c python:ckanext.suite.gunicorn_conf & pids+=($!)
fi
wait "${pids[-1]}"
