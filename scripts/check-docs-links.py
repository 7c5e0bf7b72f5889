#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-docs-links.py: the documentation never points outside the
# repository.  For README.md and docs/*.md it checks
#   - every Markdown link [text](target) and reference [id]: target that
#     is not a URL: the target must be a file (or directory) inside the
#     source tree, and a #fragment into a Markdown file must name one of
#     its headings;
#   - every code span naming a Markdown file (`x.md`): that file must be
#     in the tree, next to the document or at the top.
#
#   scripts/check-docs-links.py [--tap] [SRCDIR]
#
# Exit 1 on any bad reference.  With --tap it prints TAP for meson test:
# first checks proving the checker itself catches a bad reference, then
# one result per document.

import os
import re
import sys
import tempfile

LINK_RE = re.compile(r'!?\[(?:[^\]\\]|\\.)*\]'
                     r'\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
REF_RE = re.compile(r'^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)', re.M)
CODE_MD_RE = re.compile(r'`([^`\s]+\.md)(#[^`\s]*)?`')
FENCE_RE = re.compile(r'^(```|~~~).*?^\1', re.M | re.S)
URL_RE = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:')


def slug(heading):
    """The anchor GitHub and most renderers give a heading."""
    text = re.sub(r'`|\*|_(?=\W)|(?<=\W)_', '', heading.strip().lower())
    text = re.sub(r'[^\w\- ]', '', text)
    return text.replace(' ', '-')


def anchors(path):
    with open(path, encoding='utf-8') as f:
        text = FENCE_RE.sub('', f.read())
    return {slug(m.group(1))
            for m in re.finditer(r'^#{1,6}\s+(.*?)\s*#*\s*$', text, re.M)}


def inside(root, path):
    root = os.path.realpath(root)
    path = os.path.realpath(path)
    return path == root or path.startswith(root + os.sep)


def check_target(root, doc, target, code_span=False):
    """Return a problem description, or None when the target is fine."""
    if URL_RE.match(target) or target.startswith('//'):
        return None
    path, _, frag = target.partition('#')
    docdir = os.path.dirname(doc)
    if not path:
        dest = doc
    elif path.startswith('/'):
        return f'{target}: absolute path, outside the repository'
    else:
        dest = os.path.normpath(os.path.join(docdir, path))
        if code_span and not os.path.exists(dest):
            # `name.md` in running text may also mean the top-level file
            dest = os.path.normpath(os.path.join(root, path))
    if not inside(root, dest):
        return f'{target}: outside the repository'
    if not os.path.exists(dest):
        return f'{target}: no such file in the repository'
    if frag and dest.endswith('.md') and frag not in anchors(dest):
        return f'{target}: {os.path.relpath(dest, root)} has no heading ' \
               f'"#{frag}"'
    return None


def check_doc(root, doc):
    with open(doc, encoding='utf-8') as f:
        text = f.read()
    problems = []
    prose = FENCE_RE.sub('', text)
    for m in LINK_RE.finditer(prose):
        problems.append(check_target(root, doc, m.group(1)))
    for m in REF_RE.finditer(prose):
        problems.append(check_target(root, doc, m.group(1)))
    for m in CODE_MD_RE.finditer(prose):
        problems.append(check_target(root, doc, m.group(1) +
                                     (m.group(2) or ''), code_span=True))
    return [p for p in problems if p]


def documents(root):
    docs = [os.path.join(root, 'README.md')]
    ddir = os.path.join(root, 'docs')
    if os.path.isdir(ddir):
        docs += sorted(os.path.join(ddir, n) for n in os.listdir(ddir)
                       if n.endswith('.md'))
    return [d for d in docs if os.path.isfile(d)]


def self_tests():
    """Prove on a scratch tree that each kind of bad reference is caught."""
    cases = [
        ('a link leaving the tree', '[s](../outside/spec.md)', False),
        ('an absolute link', '[s](/etc/hostname)', False),
        ('a link to a missing file', '[s](missing.md)', False),
        ('a code span naming a missing document', 'see `spec/x.md`', False),
        ('a fragment naming no heading', '[s](b.md#nowhere)', False),
        ('a good link with its heading', '[s](b.md#the-part) `b.md`', True),
        ('a URL', '[s](https://example.org/x.md)', True),
    ]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, 'repo')
        os.makedirs(os.path.join(root, 'docs'))
        with open(os.path.join(tmp, 'outside.md'), 'w') as f:
            f.write('# x\n')
        with open(os.path.join(root, 'docs', 'b.md'), 'w') as f:
            f.write('# B\n\n## The part\n')
        doc = os.path.join(root, 'docs', 'a.md')
        for name, body, good in cases:
            with open(doc, 'w') as f:
                f.write(f'# A\n\n{body}\n')
            found = check_doc(root, doc)
            results.append((f'checker: {name} is '
                            f'{"accepted" if good else "reported"}',
                            (not found) == good, found))
    return results


def main(argv):
    tap = '--tap' in argv
    args = [a for a in argv[1:] if a != '--tap']
    root = os.path.realpath(args[0] if args else
                            os.path.join(os.path.dirname(__file__), '..'))
    results = self_tests() if tap else []
    for doc in documents(root):
        found = check_doc(root, doc)
        results.append((os.path.relpath(doc, root), not found, found))
    failed = 0
    if tap:
        print(f'1..{len(results)}')
    for i, (name, ok, found) in enumerate(results, 1):
        failed += not ok
        if tap:
            print(f'{"ok" if ok else "not ok"} {i} - {name}')
            for p in found if not ok else []:
                print(f'# {p}')
        elif not ok:
            for p in found:
                print(f'{name}: {p}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
