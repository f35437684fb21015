#!/usr/bin/env bash
# Create the DataStore database of CKAN's database DBNAME (DBNAME_datastore, owned by
# CKAN's role), its read-only role datastore_ro, and apply `ckan datastore
# set-permissions` to them. Idempotent. Usage: ensure-datastore-db.sh VENV DBNAME [ROLE]
set -euo pipefail
venv="$1"
db="$2"
role="${3:-ckan}"
here="$(cd "$(dirname "$0")/.." && pwd)"
admin=(psql -h 127.0.0.1 -p 5432 -U "${PGSUPERUSER:-postgres}" -v ON_ERROR_STOP=1 -qtA)

"$here/scripts/ensure-db.sh" "${db}_datastore" "$role"
if [ -z "$("${admin[@]}" -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = 'datastore_ro'")" ]; then
    "${admin[@]}" -d postgres -c "CREATE ROLE datastore_ro LOGIN"
fi
"$venv/bin/python" -m ckanext.suite.datastore_db "postgresql://${role}@127.0.0.1:5432/${db}" \
    | "${admin[@]}" -d postgres >/dev/null
# CKAN 2.11's script puts its full-text trigger on every table of the DataStore, 2.12's
# own _table_stats included when one database serves both versions (make test with either
# CKAN_VERSION): 2.12's row counts then fail ("record new has no field _full_text").
"${admin[@]}" -d "${db}_datastore" -c "DO \$\$ BEGIN
    IF to_regclass('public._table_stats') IS NOT NULL THEN
        DROP TRIGGER IF EXISTS zfulltext ON public._table_stats;
    END IF; END \$\$" >/dev/null
