#!/usr/bin/env bash
# Install the Sanitas desktop entry and icon for the current user (Linux, freedesktop.org).
# Run from the project root after `make venv`; the entry starts the venv's `sanitas gui`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/scalable/apps"
mkdir -p "$apps" "$icons"
install -m 0644 "$root/resources/icons/sanitas.svg" "$icons/sanitas.svg"
sed "s|^Exec=sanitas|Exec=$root/.venv/bin/sanitas|; s|^TryExec=sanitas|TryExec=$root/.venv/bin/sanitas|" \
  "$root/packaging/sanitas.desktop" > "$apps/sanitas.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$apps" || true
echo "Installed $apps/sanitas.desktop"
