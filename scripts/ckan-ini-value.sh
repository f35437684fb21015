#!/usr/bin/env bash
# Print one option of a CKAN ini file's [app:main] section, or CKAN's environment
# variable for it when set (CKAN_SQLALCHEMY_URL, CKAN_STORAGE_PATH), as CKAN reads it.
# Usage: ckan-ini-value.sh INI KEY
set -euo pipefail
ini="$1"
key="$2"
case "$key" in
    sqlalchemy.url) env_value="${CKAN_SQLALCHEMY_URL:-}" ;;
    ckan.storage_path) env_value="${CKAN_STORAGE_PATH:-}" ;;
    *) env_value="" ;;
esac
if [ -n "$env_value" ]; then
    printf '%s\n' "$env_value"
    exit 0
fi
awk -v key="$key" '
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
' "$ini" || { echo "$key is not set in $ini" >&2; exit 1; }
