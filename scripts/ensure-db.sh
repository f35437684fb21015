#!/usr/bin/env bash
# Create the CKAN role and a database owned by it, with the unaccent extension.
# Usage: ensure-db.sh DBNAME [ROLE]
set -euo pipefail
db="$1"
role="${2:-ckan}"
admin=(env PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p 5432 -U "${PGSUPERUSER:-postgres}" -v ON_ERROR_STOP=1 -qtA)

if [ -z "$("${admin[@]}" -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" ]; then
    "${admin[@]}" -d postgres -c "CREATE ROLE \"$role\" LOGIN"
fi
if [ -z "$("${admin[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    "${admin[@]}" -d postgres -c "CREATE DATABASE \"$db\" OWNER \"$role\" ENCODING 'UTF8' TEMPLATE template0"
fi
# Created by the superuser so that the role needs no extra privilege.
"${admin[@]}" -d "$db" -c "CREATE EXTENSION IF NOT EXISTS unaccent"
