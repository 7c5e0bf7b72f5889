# SPDX-License-Identifier: GPL-2.0-or-later
"""TAP output and the dma-engine's checksum, shared by the interop tests."""


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def diag(self, text):
        for line in str(text).splitlines():
            print('# ' + line, flush=True)

    def ok(self, cond, name, detail=None):
        """One case; on failure detail is printed as a diagnostic."""
        self.n += 1
        if not cond:
            self.failed += 1
        print('%s %d - %s' % ('ok' if cond else 'not ok', self.n, name),
              flush=True)
        if detail is not None and not cond:
            self.diag(detail)
        return cond

    def skip(self, name, reason):
        self.n += 1
        print('ok %d - %s # SKIP %s' % (self.n, name, reason), flush=True)


def fnv1a64(data):
    """FNV-1a 64, as the dma-engine's CHECKSUM command computes it."""
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return h
