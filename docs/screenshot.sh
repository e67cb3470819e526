#!/usr/bin/env bash
# Saves screenshots of the demo's pages for the README: docs/report.png (desktop),
# docs/report-phone.png (390 px wide) and docs/certificate.png, taken in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-chromium >/dev/null
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
MJ_HOME="$home" mj demo >/dev/null
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$home/profile")
chromium "${flags[@]}" --window-size=1000,2300 --screenshot="$PWD/docs/report.png" "file://$home/demo/report.html" 2>/dev/null
chromium "${flags[@]}" --window-size=390,2300 --screenshot="$PWD/docs/report-phone.png" "file://$home/demo/report.html" 2>/dev/null
chromium "${flags[@]}" --window-size=900,600 --screenshot="$PWD/docs/certificate.png" "file://$home/demo/certificate.html" 2>/dev/null
ls -l docs/report.png docs/report-phone.png docs/certificate.png
