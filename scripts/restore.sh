#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and an empty storage
# folder (a fresh machine, or after dropping and re-creating them): a database that
# already holds tables, or a storage folder with files, is refused, never overwritten.
# The database must exist, owned by the portal's role, with the unaccent extension
# (scripts/ensure-db.sh DBNAME creates it so). Stop the portal's services first.
# Usage: scripts/restore.sh [-c /etc/ckan/ckan.ini] BACKUP_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=portal-config.sh
. "$here/portal-config.sh" BACKUP_DIR "$@"   # sets dir, db_url, storage
backup="$dir"

for file in database.dump storage.tar.gz MANIFEST; do
    if [ ! -f "$backup/$file" ]; then
        echo "Not a backup of scripts/backup.sh: $backup/$file is missing." >&2
        exit 1
    fi
done
if ! (cd "$backup" && tail -n 2 MANIFEST | sha256sum --check --quiet); then
    echo "The backup in $backup is damaged: its checksums do not match." >&2
    exit 1
fi

tables="$(psql "$db_url" -v ON_ERROR_STOP=1 -qtA -c "
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%'")"
if [ "$tables" != 0 ]; then
    echo "Refusing to restore: the database is not empty ($tables tables, views or sequences)." >&2
    echo "Restore into a new database (scripts/ensure-db.sh NAME) and point sqlalchemy.url at it." >&2
    exit 1
fi
if [ -d "$storage" ] && [ -n "$(find "$storage" -mindepth 1 -not -type d -print -quit)" ]; then
    echo "Refusing to restore: the storage folder $storage already holds files." >&2
    exit 1
fi

# The extension comments belong to the superuser who created the extensions: skip them.
list="$(mktemp)"
trap 'rm -f "$list"' EXIT
pg_restore --list "$backup/database.dump" | grep -v ' COMMENT - EXTENSION ' > "$list"
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
    --use-list="$list" --dbname="$db_url" "$backup/database.dump"
mkdir -p "$storage"
tar --extract --gzip --file="$backup/storage.tar.gz" --directory="$storage"
echo "Restored $backup into $(basename "${db_url%%\?*}") and $storage"
