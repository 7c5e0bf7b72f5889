#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# install-deps.sh: install the Debian packages spapr-vfio needs to build
# and test, and nothing else.  "make" runs it before configuring, so on a
# fresh Debian 12 "make demo" and "make check" set themselves up.
#
# Idempotent and quiet when everything is there.  Missing packages are
# installed with apt-get, as root or through sudo; when neither is
# possible it prints the exact apt-get line to run and exits 1.
#
#   scripts/install-deps.sh [--check]   (--check: report, install nothing)
#
# Each package and what needs it:
#   make             the Makefile ("make demo", "make check")
#   meson ninja-build  the build (meson >= 0.63)
#   gcc libc6-dev    the C compiler and C library headers
#   binutils         ld and ar for linking; nm for the layering check;
#                    readelf for the USDT probe test
#   systemtap-sdt-dev  <sys/sdt.h>: the dtrace trace backend (USDT probes)
#   pkg-config       meson finds glib, json-glib, zlib, libfdt through it
#   libglib2.0-dev   glib-2.0 and gio-2.0 (everything; gio: vfio-sim-run)
#   libjson-glib-dev QMP, vfio-sim's control channel, the test client
#   zlib1g-dev       the migration stream's compression
#   libfdt-dev       the device tree
#   linux-libc-dev   <linux/vfio.h>
#   python3          meson, the trace generator, the doc and SPDX checks
#   git              scripts/check-spdx.py lists the tracked files
# The interop test installs qemu-system-ppc itself when it can.
set -e
PKGS="make meson ninja-build gcc libc6-dev binutils pkg-config
libglib2.0-dev libjson-glib-dev zlib1g-dev libfdt-dev linux-libc-dev
python3 git systemtap-sdt-dev"

check_only=false
case "$1" in
--check) check_only=true ;;
"") ;;
*) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: not a Debian system; install the equivalents of:" \
         $PKGS >&2
    exit 0
fi

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

line="apt-get update && apt-get install -y --no-install-recommends$missing"
echo "install-deps: missing Debian packages:$missing" >&2
if $check_only; then
    echo "install-deps: as root, run:  $line" >&2
    exit 1
fi
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -v; then
    SUDO=sudo
else
    echo "install-deps: not root and no usable sudo; as root, run:" >&2
    echo "  $line" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends $missing
