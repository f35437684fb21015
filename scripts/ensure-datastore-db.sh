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
# CKAN 2.11's script gives every table the full-text trigger, CKAN 2.12's own bookkeeping
# table (_table_stats) included when both versions share a database, after which every
# 2.12 load fails: the DataStore's own tables (named _...) never carry it.
"${admin[@]}" -d "${db}_datastore" >/dev/null <<'SQL'
DO $body$
DECLARE t record;
BEGIN
    FOR t IN SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE g.tgname = 'zfulltext' AND n.nspname = 'public' AND c.relname LIKE '\_%'
    LOOP
        EXECUTE format('DROP TRIGGER zfulltext ON public.%I', t.relname);
    END LOOP;
END;
$body$;
SQL
