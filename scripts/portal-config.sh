# Sourced by backup.sh and restore.sh: reads "[-c CKAN_INI] DIR" from their arguments and
# sets $dir, and $db_url, $storage and $datastore_url (the DataStore's write URL, empty
# when the ini has none) as CKAN reads them: its environment variables
# (CKAN_SQLALCHEMY_URL, CKAN_STORAGE_PATH, CKAN_DATASTORE_WRITE_URL) first, then the ini
# file's [app:main]; $ini is the ini file.
# Usage: . "$here/portal-config.sh" DIR_NAME "$@"
_ini_value() {
    awk -v key="$2" '
        /^\[/ { section = $0 }
        section == "[app:main]" {
            line = $0
            if (match(line, "^[ \t]*" key "[ \t]*=")) {
                value = substr(line, RLENGTH + 1)
                gsub(/^[ \t]+|[ \t]+$/, "", value)
                print value
                found = 1
                exit
            }
        }
        END { if (!found) exit 1 }
    ' "$1" || { echo "$2 is not set in $1" >&2; exit 1; }
}

_dir_name="$1"
shift
ini="${CKAN_INI:-/etc/ckan/ckan.ini}"
if [ "${1:-}" = "-c" ]; then ini="$2"; shift 2; fi
if [ $# -ne 1 ]; then
    echo "Usage: $0 [-c CKAN_INI] $_dir_name" >&2
    exit 2
fi
dir="$1"
db_url="${CKAN_SQLALCHEMY_URL:-}"
if [ -z "$db_url" ]; then db_url="$(_ini_value "$ini" sqlalchemy.url)"; fi
storage="${CKAN_STORAGE_PATH:-}"
if [ -z "$storage" ]; then storage="$(_ini_value "$ini" ckan.storage_path)"; fi
datastore_url="${CKAN_DATASTORE_WRITE_URL:-}"
if [ -z "$datastore_url" ]; then
    datastore_url="$(_ini_value "$ini" ckan.datastore.write_url 2>/dev/null)" || datastore_url=""
fi
