#!/usr/bin/env bash
# Back up the portal: its PostgreSQL database (one pg_dump snapshot: datasets, reviews,
# reuses, territories, the postgres_search index, harvest state) and then its storage
# folder (uploaded files), and its DataStore database (ckan.datastore.write_url: the tables
# xloader loaded) when the portal has one. Safe while the portal runs: the dump is one
# consistent snapshot; the storage copy and the DataStore dump, taken after it, hold every
# file and table the dump refers to (one uploaded or loaded meanwhile is simply extra).
# Redis holds only queues and rate-limit counters: not backed up.
# Usage: scripts/backup.sh [-c /etc/ckan/ckan.ini] DEST_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=portal-config.sh
. "$here/portal-config.sh" DEST_DIR "$@"   # sets dir, db_url, storage, datastore_url
dest="$dir"

if [ -e "$dest" ] && [ -n "$(ls -A "$dest" 2>/dev/null)" ]; then
    echo "Refusing to write into $dest: it is not empty." >&2
    exit 1
fi
mkdir -p "$dest"
umask 077

# Custom format: compressed, restorable table by table, one transaction snapshot.
pg_dump --format=custom --no-owner --no-privileges --file="$dest/database.dump" "$db_url"
if [ -d "$storage" ]; then
    # tar's status 1 means a file or folder changed while it was read: an upload that
    # went on after the database snapshot, which the dump does not refer to. The archive
    # is whole; only 2 (a fatal error) stops the backup.
    status=0
    tar --create --gzip --file="$dest/storage.tar.gz" --directory="$storage" . || status=$?
    if [ "$status" -gt 1 ]; then
        exit "$status"
    fi
else
    tar --create --gzip --file="$dest/storage.tar.gz" --files-from=/dev/null
fi
files=(database.dump storage.tar.gz)
if [ -n "$datastore_url" ]; then
    pg_dump --format=custom --no-owner --no-privileges --file="$dest/datastore.dump" \
        "$datastore_url"
    files+=(datastore.dump)
fi
{
    echo "created=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "database=$(basename "${db_url%%\?*}")"
    echo "storage=$storage"
    if [ -n "$datastore_url" ]; then echo "datastore=$(basename "${datastore_url%%\?*}")"; fi
    (cd "$dest" && sha256sum "${files[@]}")
} > "$dest/MANIFEST"
echo "Backup written to $dest"
