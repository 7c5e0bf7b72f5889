#!/bin/sh
# Install the Debian packages spapr-vfio needs to build and test.
# Idempotent: does nothing when everything is present.
set -e
PKGS="meson ninja-build pkg-config gcc libc6-dev libglib2.0-dev libfdt-dev
zlib1g-dev libjson-glib-dev device-tree-compiler linux-libc-dev python3
libglib2.0-bin"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
if [ -z "$missing" ]; then
    echo "install-deps: all build dependencies are installed"
    exit 0
fi
echo "install-deps: missing:$missing"
if [ "$(id -u)" != 0 ]; then
    SUDO=""
    if command -v sudo >/dev/null 2>&1; then
        SUDO=sudo
    else
        echo "install-deps: not root; run as root:" >&2
        echo "  apt-get update && apt-get install -y$missing" >&2
        exit 1
    fi
else
    SUDO=""
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
