# SPDX-License-Identifier: GPL-2.0-or-later
"""Write an initramfs as a cpio archive in the "newc" format.

The kernel's initramfs unpacker reads this format; writing it here means
the test needs no cpio binary.  Every member is owned by root; times are
zero so the same inputs give the same archive bytes.
"""
import stat

_MAGIC = b'070701'


def _pad4(n):
    return (4 - n % 4) % 4


class NewcWriter:
    def __init__(self, f):
        self._f = f
        self._ino = 1

    def _member(self, name, mode, data=b'', nlink=1):
        name_b = name.encode() + b'\0'
        fields = [self._ino, mode, 0, 0, nlink, 0, len(data),
                  0, 0, 0, 0, len(name_b), 0]
        self._ino += 1
        head = _MAGIC + b''.join(b'%08x' % v for v in fields)
        self._f.write(head + name_b + b'\0' * _pad4(len(head) + len(name_b)))
        self._f.write(data + b'\0' * _pad4(len(data)))

    def dir(self, name, perm=0o755):
        self._member(name, stat.S_IFDIR | perm, nlink=2)

    def file(self, name, data, perm=0o644):
        self._member(name, stat.S_IFREG | perm, data)

    def symlink(self, name, target):
        self._member(name, stat.S_IFLNK | 0o777, target.encode())

    def close(self):
        self._member('TRAILER!!!', 0)
