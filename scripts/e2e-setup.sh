#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the newest that runs on Node 20) into .e2e/,
# a git-ignored folder, for the real-workbench tests. Never a dependency of the extension.
# Idempotent: a finished install leaves .e2e/code-server/.done and later runs return at once.
# Needs Debian's chromium, libkrb5-dev and ripgrep (installed by .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=4.100.3
DEST="$PWD/.e2e/code-server"
BIN="$DEST/node_modules/.bin/code-server"

if [[ -f "$DEST/.done" && -x "$BIN" ]] && grep -qx "$VERSION" "$DEST/.done"; then
  echo "code-server $VERSION already in $DEST"
  exit 0
fi

for need in rg; do
  command -v "$need" >/dev/null || { echo "e2e-setup: '$need' missing: apt-get install -y ripgrep chromium libkrb5-dev" >&2; exit 1; }
done
[[ -f /usr/include/gssapi/gssapi.h ]] || { echo "e2e-setup: gssapi.h missing: apt-get install -y libkrb5-dev" >&2; exit 1; }

rm -rf "$DEST"
mkdir -p "$DEST"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# @vscode/ripgrep would download rg from GitHub; it first looks in this cache, so give it Debian's.
CACHE="$TMP/vscode-ripgrep-cache-1.15.11"
mkdir -p "$CACHE"
cp "$(command -v rg)" "$TMP/rg"
tar -czf "$CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$TMP" rg

echo '{"name":"e2e-tools","private":true}' >"$DEST/package.json"
# unsafe_perm: the postinstall refuses to run as root otherwise; yes: node-pty's `npx node-gyp`.
TMPDIR="$TMP" npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --prefix "$DEST" --no-audit --no-fund --loglevel=error "code-server@$VERSION"

[[ -x "$BIN" ]] || { echo "e2e-setup: code-server binary missing after install" >&2; exit 1; }
echo "$VERSION" >"$DEST/.done"
echo "code-server $VERSION installed in $DEST"
