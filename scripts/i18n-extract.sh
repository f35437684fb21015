#!/usr/bin/env bash
# Extract each plugin's strings, and those of the shared ckanext/suite package that every
# plugin may use, into the plugin's .pot and merge them into its fr catalogue.
# Usage: scripts/i18n-extract.sh VENV
set -euo pipefail
bin="${1:-.venv}/bin"
cd "$(dirname "$0")/.."
for dir in ckanext/*/; do
    plugin=$(basename "$dir")
    [ -f "$dir/plugin.py" ] || continue
    domain="ckanext-$plugin"
    mkdir -p "$dir/i18n/fr/LC_MESSAGES"
    "$bin/pybabel" extract -F babel.cfg -k N_ --no-location --sort-output \
        --msgid-bugs-address "" --project "$domain" -o "$dir/i18n/$domain.pot" "$dir" ckanext/suite
    po="$dir/i18n/fr/LC_MESSAGES/$domain.po"
    if [ -f "$po" ]; then
        "$bin/pybabel" update -D "$domain" -l fr --no-fuzzy-matching -i "$dir/i18n/$domain.pot" -o "$po"
    else
        "$bin/pybabel" init -D "$domain" -l fr -i "$dir/i18n/$domain.pot" -o "$po"
    fi
done
