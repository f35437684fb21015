#!/usr/bin/env bash
# Install what the deploy/ tests check the configuration with, if missing: nginx (`nginx -t`)
# and systemd's `systemd-analyze verify`. Debian's packages; no service is started.
set -euo pipefail
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
    echo "Missing for the deploy/ tests: ${missing[*]}; run 'sudo apt-get install ${missing[*]}'." >&2
    exit 1
fi
echo "Installing ${missing[*]} from Debian's packages..."
export DEBIAN_FRONTEND=noninteractive
# Only the binaries are wanted: keep Debian's maintainer scripts from starting nginx.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
