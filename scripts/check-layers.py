#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check that each layer's library calls only the layers below it.

Usage: check-layers.py BUILDDIR [ALLOWFILE]

The layers, bottom up, are the static libraries meson.build builds
(see its comment and docs/architecture.md).  With nm, every symbol a
layer's objects leave undefined is looked up in the other layers: a
symbol defined only in a layer above is a violation.  ALLOWFILE
(default scripts/check-layers.allow) lists the up-calls not yet
removed, one "LAYER -> LAYER SYMBOL" a line; one that no longer occurs
is reported too, so the list only shrinks.
"""
import os
import subprocess
import sys

LAYERS = [
    ('util', 'util/libutil.a'),
    ('core', 'libcore.a'),
    ('backends', 'backends/libbackends.a'),
    ('hw/pci', 'hw/pci/libhw-pci.a'),
    ('hw/mem', 'hw/mem/libhw-mem.a'),
    ('hw/vfio', 'hw/vfio/libhw-vfio.a'),
    ('hw/ppc', 'hw/ppc/libhw-ppc.a'),
    ('migration', 'migration/libmigration.a'),
    ('system', 'system/libsystem.a'),
]


def nm_symbols(path):
    """(defined, undefined, weak) external symbol names of an archive."""
    out = subprocess.run(['nm', '-g', path], check=True,
                         capture_output=True, text=True).stdout
    defined, undefined, weak = set(), set(), set()
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[-2:-1] and parts[-2] in ('w', 'W', 'v', 'V'):
            weak.add(parts[-1])
        if len(parts) == 2 and parts[0] in ('U', 'w', 'v'):
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] not in ('U', 'w', 'v'):
            defined.add(parts[2])
    return defined, undefined - defined, weak


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    build = sys.argv[1]
    allow_path = (sys.argv[2] if len(sys.argv) == 3 else
                  os.path.join(os.path.dirname(__file__),
                               'check-layers.allow'))
    allowed = set()
    if os.path.exists(allow_path):
        with open(allow_path, encoding='utf-8') as f:
            for line in f:
                line = line.split('#', 1)[0].strip()
                if line:
                    allowed.add(' '.join(line.split()))

    syms = []
    weak_found = False
    for name, rel in LAYERS:
        path = os.path.join(build, rel)
        if not os.path.exists(path):
            sys.exit('check-layers: %s missing (build first)' % path)
        defined, undefined, weak = nm_symbols(path)
        syms.append((name, defined, undefined))
        # A weak symbol lets a layer link without what it calls: every
        # dependency must be real.
        for sym in sorted(weak):
            print('check-layers: %s: weak symbol %s' % (name, sym))
            weak_found = True

    found = set()
    for i, (name, _, undefined) in enumerate(syms):
        for sym in sorted(undefined):
            below = any(sym in d for _, d, _ in syms[:i])
            above = [n for n, d, _ in syms[i + 1:] if sym in d]
            if above and not below:
                found.add('%s -> %s %s' % (name, above[0], sym))

    new = sorted(found - allowed)
    gone = sorted(allowed - found)
    for v in new:
        print('check-layers: %s is defined only in a layer above' % v)
    for v in gone:
        print('check-layers: no longer occurs, remove from %s: %s'
              % (allow_path, v))
    print('check-layers: %d layers, %d up-calls (%d listed as known debt)'
          % (len(syms), len(found), len(found & allowed)))
    return 1 if new or gone or weak_found else 0


if __name__ == '__main__':
    sys.exit(main())
