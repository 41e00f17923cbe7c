#!/usr/bin/env bash
# Installs from Debian's packages what the tests need beyond npm: Chromium for the end-to-end tests,
# PostgreSQL for the server tests' second database, and CJK fonts so screenshots show Chinese.
# Does nothing when they are already there.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
compgen -G '/usr/share/fonts/opentype/noto/NotoSansCJK-*' >/dev/null || need+=(fonts-noto-cjk)

if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
