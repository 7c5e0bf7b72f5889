# SPDX-License-Identifier: GPL-2.0-or-later
"""Fetch, once, a Debian ppc64el kernel and busybox; build the initramfs.

Nothing of ppc64el is installed: the packages are fetched with
"apt-get download" while the architecture is added, then the architecture
is removed again, and only the few files the test needs are kept from the
extracted packages.  The cache lives outside the build directory, in a
directory named after the package versions, so later runs and other
checkouts reuse it.  "current" names the last one prepared; a run uses it
without asking apt, so the test also runs offline.
"""
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile

from newc import NewcWriter

KERNEL_META = 'linux-image-powerpc64le'
BUSYBOX = 'busybox-static'
ARCH = 'ppc64el'
# Modules the guest loads, by module name; their dependencies are added.
# e1000e: its probe sets a 64-bit DMA mask (a DDW) and enables MSI;
# uio_pci_generic: an INTx handler bound through driver_override.
MODULES = ['e1000e', 'uio_pci_generic']


class Unavailable(Exception):
    """The packages cannot be had: the test is skipped with this reason."""


def cache_root():
    base = os.environ.get('XDG_CACHE_HOME') or \
        os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'spapr-vfio', 'interop')


def _run(args, log, check=True):
    log('$ ' + ' '.join(args))
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    for line in p.stdout.splitlines()[-5:]:
        log('  ' + line)
    if check and p.returncode != 0:
        raise Unavailable('%s exited with %d' % (' '.join(args), p.returncode))
    return p


def _candidate(pkg):
    out = subprocess.run(['apt-cache', 'policy', pkg], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True).stdout
    m = re.search(r'Candidate:\s*(\S+)', out)
    if not m or m.group(1) == '(none)':
        raise Unavailable('apt knows no candidate for ' + pkg)
    return m.group(1)


def _kernel_package():
    out = subprocess.run(['apt-cache', 'depends', KERNEL_META + ':' + ARCH],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True).stdout
    m = re.search(r'Depends:\s*(linux-image-\S+-powerpc64le)', out)
    if not m:
        raise Unavailable('cannot resolve ' + KERNEL_META + ' for ' + ARCH)
    return m.group(1)


def _module_depends(path):
    with open(path, 'rb') as f:
        m = re.search(rb'\0depends=([^\0]*)\0', b'\0' + f.read())
    return [d for d in m.group(1).decode().split(',') if d] if m else []


def _find_modules(moddir, names):
    """Module files for names plus their dependencies, dependencies first."""
    index = {}
    for dirpath, _, files in os.walk(moddir):
        for fn in files:
            if fn.endswith('.ko'):
                index[fn[:-3].replace('-', '_')] = os.path.join(dirpath, fn)
    order = []

    def add(name):
        path = index.get(name.replace('-', '_'))
        if path is None:
            raise Unavailable('module %s is not in the kernel package' % name)
        if path in order:
            return
        for dep in _module_depends(path):
            add(dep)
        order.append(path)

    for n in names:
        add(n)
    return order


def _fetch(root, log):
    """Download and extract the packages into a new versioned directory."""
    if os.geteuid() != 0:
        raise Unavailable('fetching ppc64el packages needs root (dpkg '
                          '--add-architecture); or set INTEROP_KERNEL etc.')
    added = ARCH not in subprocess.run(
        ['dpkg', '--print-foreign-architectures'], stdout=subprocess.PIPE,
        text=True).stdout.split()
    tmp = tempfile.mkdtemp(prefix='fetch-', dir=root)
    try:
        if added:
            _run(['dpkg', '--add-architecture', ARCH], log)
        try:
            # A partly failing update (a mirror in sync) may still be enough.
            _run(['apt-get', 'update', '-q'], log, check=False)
            kpkg = _kernel_package()
            versions = {kpkg: _candidate(kpkg + ':' + ARCH),
                        BUSYBOX: _candidate(BUSYBOX + ':' + ARCH)}
            key = '+'.join('%s_%s' % (p, v.replace(':', '%3a'))
                           for p, v in sorted(versions.items()))
            dest = os.path.join(root, key)
            if _complete(dest):
                return dest
            p = subprocess.run(['apt-get', 'download', '-q'] +
                               ['%s:%s=%s' % (p, ARCH, v)
                                for p, v in versions.items()],
                               cwd=tmp, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            if p.returncode != 0:
                raise Unavailable('apt-get download failed: ' +
                                  p.stdout.strip().splitlines()[-1])
        finally:
            if added:
                _run(['dpkg', '--remove-architecture', ARCH], log,
                     check=False)
                _run(['apt-get', 'update', '-q'], log, check=False)
        x = os.path.join(tmp, 'x')
        for deb in os.listdir(tmp):
            if deb.endswith('.deb'):
                _run(['dpkg-deb', '-x', os.path.join(tmp, deb), x], log)
        os.makedirs(os.path.join(tmp, 'keep', 'modules'))
        keep = os.path.join(tmp, 'keep')
        boot = os.path.join(x, 'boot')
        vmlinux = [f for f in os.listdir(boot) if f.startswith('vmlinux-')]
        if len(vmlinux) != 1:
            raise Unavailable('no single vmlinux in ' + kpkg)
        shutil.copy(os.path.join(boot, vmlinux[0]),
                    os.path.join(keep, 'vmlinux'))
        shutil.copy(os.path.join(x, 'bin', 'busybox'),
                    os.path.join(keep, 'busybox'))
        moddir = os.path.join(x, 'lib', 'modules')
        for i, path in enumerate(_find_modules(moddir, MODULES)):
            shutil.copy(path, os.path.join(keep, 'modules', '%02d-%s' %
                                           (i, os.path.basename(path))))
        with open(os.path.join(keep, 'versions'), 'w') as f:
            f.write(''.join('%s %s\n' % kv for kv in sorted(versions.items())))
        with open(os.path.join(keep, 'modules.list'), 'w') as f:
            f.write(''.join(m + '\n' for m in MODULES))
        with open(os.path.join(keep, 'ready'), 'w') as f:
            f.write('')
        if os.path.exists(dest):
            shutil.rmtree(dest)
        os.rename(keep, dest)
        return dest
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _complete(d):
    """d holds a prepared guest with every module of MODULES."""
    try:
        with open(os.path.join(d, 'modules.list')) as f:
            have = f.read().split()
    except OSError:
        return False
    return (os.path.exists(os.path.join(d, 'ready')) and
            all(m in have for m in MODULES))


def prepare(log, refresh=False):
    """Return the directory with vmlinux, busybox, modules/ and versions."""
    root = cache_root()
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, 'lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cur = os.path.join(root, 'current')
        if not refresh and _complete(cur):
            return os.path.realpath(cur)
        dest = _fetch(root, log)
        tmp_link = cur + '.new'
        if os.path.lexists(tmp_link):
            os.unlink(tmp_link)
        os.symlink(os.path.basename(dest), tmp_link)
        os.rename(tmp_link, cur)
        return dest


def build_initramfs(out_dir, busybox, modules, init_script):
    """Write (or reuse) the initramfs; its name hashes all its inputs."""
    h = hashlib.sha256()
    inputs = [busybox, init_script] + modules
    for p in inputs:
        with open(p, 'rb') as f:
            h.update(os.path.basename(p).encode() + b'\0' + f.read())
    path = os.path.join(out_dir, 'initramfs-%s.cpio' % h.hexdigest()[:16])
    if os.path.exists(path):
        return path
    tmp = path + '.%d' % os.getpid()
    with open(tmp, 'wb') as f:
        w = NewcWriter(f)
        for d in ['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'proc', 'sys',
                  'dev', 'tmp', 'lib', 'lib/modules']:
            w.dir(d)
        with open(busybox, 'rb') as b:
            w.file('bin/busybox', b.read(), 0o755)
        with open(init_script, 'rb') as s:
            w.file('init', s.read(), 0o755)
        for m in modules:
            with open(m, 'rb') as k:
                w.file('lib/modules/' + os.path.basename(m), k.read())
        w.close()
    os.rename(tmp, path)
    return path
