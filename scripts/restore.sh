#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and an empty storage
# folder (a fresh machine, or after dropping and re-creating them): a database that
# already holds tables, or a storage folder with files, is refused, never overwritten.
# The database must exist, owned by the portal's role, with the unaccent extension
# (scripts/ensure-db.sh DBNAME creates it so). A backup holding the DataStore
# (datastore.dump) is restored into ckan.datastore.write_url's database, which must
# exist, empty (scripts/ensure-db.sh NAME_datastore, or scripts/ensure-datastore-db.sh);
# CKAN's `datastore set-permissions` is then applied (as the PostgreSQL superuser
# $PGSUPERUSER, default postgres; the `ckan` command is $CKAN_BIN, else the one on the
# PATH, else /opt/ckan/venv/bin/ckan), so that datastore_ro reads the restored tables.
# Stop the portal's services first.
# Usage: scripts/restore.sh [-c /etc/ckan/ckan.ini] BACKUP_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=portal-config.sh
. "$here/portal-config.sh" BACKUP_DIR "$@"   # sets dir, db_url, storage, datastore_url
backup="$dir"

for file in database.dump storage.tar.gz MANIFEST; do
    if [ ! -f "$backup/$file" ]; then
        echo "Not a backup of scripts/backup.sh: $backup/$file is missing." >&2
        exit 1
    fi
done
with_datastore=false
if [ -f "$backup/datastore.dump" ]; then with_datastore=true; fi
sums="$(grep -E '^[0-9a-f]{64}  ' "$backup/MANIFEST" || true)"
expected="database.dump storage.tar.gz"
if $with_datastore; then expected="database.dump datastore.dump storage.tar.gz"; fi
if [ "$(echo "$sums" | awk '{ print $2 }' | sort | xargs)" != "$expected" ] \
        || ! (cd "$backup" && echo "$sums" | sha256sum --check --quiet); then
    echo "The backup in $backup is damaged: its checksums do not match." >&2
    exit 1
fi

# Relations of a database (CKAN's own DataStore helpers, which set-permissions creates
# in a new DataStore database, do not count).
_relations() {
    psql "$1" -v ON_ERROR_STOP=1 -qtA -c "
        SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg_toast%'
          AND c.relname NOT IN ($2)"
}
tables="$(_relations "$db_url" "''")"
if [ "$tables" != 0 ]; then
    echo "Refusing to restore: the database is not empty ($tables tables, views or sequences)." >&2
    echo "Restore into a new database (scripts/ensure-db.sh NAME) and point sqlalchemy.url at it." >&2
    exit 1
fi
if $with_datastore; then
    if [ -z "$datastore_url" ]; then
        echo "Refusing to restore: the backup holds a DataStore, but ckan.datastore.write_url is not set in $ini." >&2
        exit 1
    fi
    ds_tables="$(_relations "$datastore_url" "'_table_metadata', '_table_stats'")"
    if [ "$ds_tables" != 0 ]; then
        echo "Refusing to restore: the DataStore database is not empty ($ds_tables tables, views or sequences)." >&2
        echo "Restore into a new one (scripts/ensure-db.sh NAME_datastore) and point ckan.datastore.write_url at it." >&2
        exit 1
    fi
    ckan_bin="${CKAN_BIN:-$(command -v ckan || echo /opt/ckan/venv/bin/ckan)}"
    if [ ! -x "$ckan_bin" ]; then
        echo "Cannot apply the DataStore's permissions: no ckan command (set CKAN_BIN)." >&2
        exit 1
    fi
fi
if [ -d "$storage" ] && [ -n "$(find "$storage" -mindepth 1 -not -type d -print -quit)" ]; then
    echo "Refusing to restore: the storage folder $storage already holds files." >&2
    exit 1
fi

# The extension comments belong to the superuser who created the extensions: skip them.
list="$(mktemp)"
permissions="$(mktemp)"
trap 'rm -f "$list" "$permissions"' EXIT
pg_restore --list "$backup/database.dump" | grep -v ' COMMENT - EXTENSION ' > "$list"
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
    --use-list="$list" --dbname="$db_url" "$backup/database.dump"

# CKAN's set-permissions script (datastore_ro's grants, the _table_metadata view, the
# full-text trigger function, 2.12's table statistics), run as the superuser on the
# DataStore's server.
_datastore_permissions() {
    local server="${datastore_url#*://}"
    server="${server##*@}"
    server="${server%%/*}"
    local host="${server%%:*}" port=5432
    if [ "$server" != "$host" ]; then port="${server##*:}"; fi
    "$ckan_bin" -c "$ini" datastore set-permissions > "$permissions"
    psql -h "$host" -p "$port" -U "${PGSUPERUSER:-postgres}" -d postgres -v ON_ERROR_STOP=1 \
        -qtA -f "$permissions" > /dev/null
}
if $with_datastore; then
    # CKAN's helpers come from set-permissions (this CKAN's version of them), before the
    # tables whose triggers use them: the dump's copies are left out.
    _datastore_permissions
    pg_restore --list "$backup/datastore.dump" | grep -v -E \
        -e ' COMMENT - EXTENSION ' -e ' public (_table_metadata|_table_stats) ' \
        -e ' FUNCTION public (populate_full_text_trigger|update_cached_table_row_count|cached_table_row_count|update_table_stats)\(' \
        > "$list"
    pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
        --use-list="$list" --dbname="$datastore_url" "$backup/datastore.dump"
    # Again, so that datastore_ro reads the restored tables.
    _datastore_permissions
fi
mkdir -p "$storage"
tar --extract --gzip --file="$backup/storage.tar.gz" --directory="$storage"
restored="$(basename "${db_url%%\?*}")"
if $with_datastore; then restored="$restored, $(basename "${datastore_url%%\?*}")"; fi
echo "Restored $backup into $restored and $storage"
