#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Count test cases from meson's testlog.json.

Every TAP line "ok N" / "not ok N" of a test program counts as one case
("# SKIP" cases are counted as skipped).  A program that failed without
reporting any failing case (a crash, a timeout) counts as one failure.
Prints "N passed, N failed, N skipped" and exits 1 if anything failed.
"""
import json
import re
import sys

TAP = re.compile(r'^(not ok|ok)\b(.*)$')


def count(path):
    passed = failed = skipped = 0
    with open(path, encoding='utf-8') as f:
        for line in f:
            t = json.loads(line)
            if t.get('is_parallel') is None and 'name' not in t:
                continue
            out = t.get('stdout') or t.get('stdo') or ''
            p = fl = s = 0
            for l in out.splitlines():
                m = TAP.match(l.strip())
                if not m:
                    continue
                if '# SKIP' in m.group(2) or '# skip' in m.group(2):
                    s += 1
                elif m.group(1) == 'ok':
                    p += 1
                else:
                    fl += 1
            res = t.get('result', '')
            if res not in ('OK', 'EXPECTEDFAIL', 'SKIP') and fl == 0:
                fl = 1
                print('failed without a failing case: %s (%s)'
                      % (t.get('name'), res), file=sys.stderr)
            if p + fl + s == 0 and res == 'OK':
                p = 1       # a plain (non-TAP) program that passed
            passed += p
            failed += fl
            skipped += s
    return passed, failed, skipped


def main():
    tp = tf = ts = 0
    args = sys.argv[1:]
    if args[:1] == ['--extra-failed']:
        tf = int(args[1])
        args = args[2:]
    for path in args:
        p, f, s = count(path)
        tp, tf, ts = tp + p, tf + f, ts + s
    print('%d passed, %d failed, %d skipped' % (tp, tf, ts))
    return 1 if tf else 0


if __name__ == '__main__':
    sys.exit(main())
