#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check the USDT probes of a binary against the trace-events files (TAP).

Usage: check-usdt.py READELF BACKENDS BINARY SRCDIR

BACKENDS is the build's trace_backends option, comma-separated.  With
"dtrace", every event of every trace-events file under SRCDIR (each
layer has one; build directories are skipped) must be a stapsdt
note of provider spapr_vfio in BINARY ("readelf -n", as bpftrace -l and
perf probe read them), each with as many arguments as the event
declares.  Without it, the binary must hold no probe at all.
"""
import os
import re
import subprocess
import sys

PROVIDER = 'spapr_vfio'
EVENT = re.compile(r'^([a-z_][a-z0-9_]*)\((.*)\)\s+"')


def events(paths):
    """{name: argument count} of every event in the files."""
    out = {}
    for path in paths:
        with open(path, encoding='utf-8') as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith('#'):
                    continue
                m = EVENT.match(line)
                if not m:
                    continue
                args = m.group(2).strip()
                out[m.group(1)] = (0 if args in ('', 'void')
                                   else len(args.split(',')))
    return out


def trace_events_files(srcdir):
    out = []
    for root, dirs, files in os.walk(srcdir):
        dirs[:] = sorted(d for d in dirs if not d.startswith('.') and
                         not os.path.exists(os.path.join(root, d,
                                                         'meson-private')))
        if 'trace-events' in files:
            out.append(os.path.join(root, 'trace-events'))
    return sorted(out)


def probes(readelf, binary):
    """[(provider, name, argument count)] of the binary's stapsdt notes."""
    text = subprocess.run([readelf, '-n', binary], check=True,
                          capture_output=True, text=True).stdout
    out = []
    # One note per "stapsdt <size> NT_STAPSDT" header; a probe without
    # arguments has no Arguments: field.
    for note in re.split(r'^\s*stapsdt\s', text, flags=re.M)[1:]:
        provider = re.search(r'Provider:\s*(\S+)', note)
        name = re.search(r'Name:\s*(\S+)', note)
        args = re.search(r'Arguments:[ \t]*(.*)', note)
        out.append((provider and provider.group(1), name and name.group(1),
                    len(args.group(1).split()) if args else 0))
    return out


def main():
    readelf, backends, binary, srcdir = sys.argv[1:5]
    backends = backends.split(',')
    paths = trace_events_files(srcdir)
    want = events(paths)
    have = probes(readelf, binary)
    print('1..3')
    print('# %d events in %d trace-events files, %d stapsdt notes in %s'
          % (len(want), len(paths), len(have), binary))

    if 'dtrace' not in backends:
        print('ok 1 - no dtrace backend: the binary holds no probe'
              if not have else
              'not ok 1 - no dtrace backend, yet %d stapsdt notes (%s)'
              % (len(have), have[0][1]))
        reason = ('the build has no dtrace trace backend (trace_backends=%s)'
                  % ','.join(backends))
        print('ok 2 - every event is a probe # SKIP ' + reason)
        print('ok 3 - every probe has its event\'s arguments # SKIP ' + reason)
        return

    print('ok 1 - dtrace backend: the binary holds probes'
          if have else 'not ok 1 - dtrace backend, yet no stapsdt note')
    found = {}
    for provider, name, nargs in have:
        if provider == PROVIDER:
            found.setdefault(name, set()).add(nargs)
    missing = sorted(set(want) - set(found))
    for name in missing:
        print('# not a probe of provider %s: %s' % (PROVIDER, name))
    print('%s 2 - every event is a probe of provider %s'
          % ('not ok' if missing else 'ok', PROVIDER))
    wrong = sorted(n for n in want if n in found and found[n] != {want[n]})
    for name in wrong:
        print('# %s: declared with %d arguments, probes have %s'
              % (name, want[name], sorted(found[name])))
    print('%s 3 - every probe has its event\'s arguments'
          % ('not ok' if wrong else 'ok'))


if __name__ == '__main__':
    main()
