#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check that each layer's library calls only the layers below it.

Usage: check-layers.py BUILDDIR

The layers, bottom up, are the static libraries meson.build builds
(see its comment and docs/architecture.md).  With nm, every symbol a
layer's objects leave undefined is looked up in the other layers: a
symbol defined only in a layer above is a violation, and so is a weak
symbol.  There are no exceptions.

It also prints which layers each layer calls, and checks that the
layer table of docs/architecture.md names the same libraries, in the
same order, as LAYERS below.
"""
import os
import re
import subprocess
import sys

LAYERS = [
    ('util', 'util/libutil.a'),
    ('core', 'libcore.a'),
    ('qapi', 'qapi/libqapi.a'),
    ('backends', 'backends/libbackends.a'),
    ('hw/core', 'hw/core/libhw-core.a'),
    ('hw/pci', 'hw/pci/libhw-pci.a'),
    ('hw/mem', 'hw/mem/libhw-mem.a'),
    ('hw/vfio', 'hw/vfio/libhw-vfio.a'),
    ('hw/ppc', 'hw/ppc/libhw-ppc.a'),
    ('migration', 'migration/libmigration.a'),
    ('system', 'system/libsystem.a'),
]


# <sys/sdt.h> marks the base of the USDT probe notes with a weak hidden
# symbol in every object that has a probe (the dtrace trace backend):
# the probe machinery's, not a dependency on anything.
SDT_BASE = '_.stapsdt.base'


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
    weak.discard(SDT_BASE)
    return defined, undefined - defined, weak


def doc_layers(path):
    """[(layer, library)] of the table rows of docs/architecture.md."""
    rows = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            m = re.match(r'^\|\s*([a-z/]+)\s*\|\s*`([^`]+)`', line)
            if m:
                rows.append((m.group(1), m.group(2)))
    return rows


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build = sys.argv[1]

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

    for v in sorted(found):
        print('check-layers: %s is defined only in a layer above' % v)
    for i, (name, _, undefined) in enumerate(syms):
        uses = [n for n, d, _ in syms[:i] if undefined & d]
        print('check-layers: %s calls %s' % (name, ', '.join(uses) or '-'))
    print('check-layers: %d layers, %d up-calls' % (len(syms), len(found)))

    doc = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..',
                       'docs', 'architecture.md')
    doc_ok = doc_layers(doc) == LAYERS
    if not doc_ok:
        print('check-layers: the layer table of docs/architecture.md (%s) '
              'does not match the libraries (%s)'
              % (doc_layers(doc), LAYERS))
    return 1 if found or weak_found or not doc_ok else 0


if __name__ == '__main__':
    sys.exit(main())
