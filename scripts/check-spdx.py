#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-spdx.py: list every tracked source or build file that carries no
# "SPDX-License-Identifier:" line in its first 10 lines; exit 1 if any.
#
#   scripts/check-spdx.py [SRCDIR]
#
# The files checked are those git tracks (so build trees and generated
# files are never looked at): C sources and headers, Python, shell
# scripts (by suffix or by a "#!" line naming a shell), meson.build,
# meson_options.txt, Makefile, configure and trace-events files.

import os
import subprocess
import sys

TAG = 'SPDX-License-Identifier:'
HEAD_LINES = 10
SUFFIXES = ('.c', '.h', '.py', '.sh')
NAMES = ('meson.build', 'meson_options.txt', 'Makefile', 'configure',
         'trace-events')
SHELLS = ('sh', 'bash', 'dash', 'python3', 'python')


def interpreter(path):
    """The program named by a '#!' first line, or ''."""
    try:
        with open(path, 'rb') as f:
            first = f.readline(200)
    except OSError:
        return ''
    if not first.startswith(b'#!'):
        return ''
    words = first[2:].decode('utf-8', 'replace').split()
    if not words:
        return ''
    prog = os.path.basename(words[0])
    if prog == 'env' and len(words) > 1:
        prog = words[1]
    return prog


def wanted(path):
    base = os.path.basename(path)
    if base in NAMES or base.endswith(SUFFIXES):
        return True
    return interpreter(path) in SHELLS


def has_tag(path):
    with open(path, 'r', encoding='utf-8', errors='replace') as f:
        for i, line in enumerate(f):
            if i >= HEAD_LINES:
                break
            if TAG in line:
                return True
    return False


def tracked_files(srcdir):
    out = subprocess.run(['git', '-C', srcdir, 'ls-files', '-z'],
                         check=True, stdout=subprocess.PIPE).stdout
    return [p for p in out.decode().split('\0') if p]


def main(argv):
    srcdir = argv[1] if len(argv) > 1 else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
    try:
        files = tracked_files(srcdir)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f'check-spdx: cannot list the files git tracks in {srcdir}: '
              f'{e}', file=sys.stderr)
        return 2
    checked = 0
    missing = []
    for rel in files:
        path = os.path.join(srcdir, rel)
        if not os.path.isfile(path) or not wanted(path):
            continue
        checked += 1
        if not has_tag(path):
            missing.append(rel)
    for rel in missing:
        print(f'{rel}: no "{TAG}" line in the first {HEAD_LINES} lines')
    print(f'check-spdx: {checked} files checked, {len(missing)} without '
          'an SPDX line', file=sys.stderr)
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
