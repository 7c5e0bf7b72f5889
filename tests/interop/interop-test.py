#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Interop: Debian's QEMU and a Debian ppc64el Linux guest on vfio-sim.

Boots qemu-system-ppc64 -M pseries with one vfio-pci device (vfio-sim's
dma-engine) under vfio-sim-run, six times:
  ddw       the guest binds e1000e to the device (driver_override); its
            64-bit DMA mask makes Linux create a DDW; the device then
            checksums guest memory through that window, driven from the
            guest (/dev/mem) and from the host (vfio-sim's control channel),
            and both must equal the checksum of QMP pmemsave's bytes;
  noddw     the same with disable_ddw: the default window only;
  retry     the host refuses the DDW's first TCE_CREATE once (ENOMEM):
            QEMU 7.2 retries with more levels;
  nobacking the host cannot charge the DDW's table to locked memory
            (a memlock limit just short of it): what QEMU 7.2 does;
  levels1   the host offers one table level: what QEMU 7.2 does;
  irq       (XICS) the device's INTx reaches uio_pci_generic's handler in
            the guest; then the host freezes the PE and Linux's EEH core
            recovers it through QEMU's RTAS and VFIO_EEH_PE_OP.
Output is TAP.  Everything is skipped, with the reason, only when QEMU or
the guest packages cannot be had, or when the library is sanitized (an
ASan library cannot be preloaded into a program built without ASan).
"""
import collections
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guestimage  # noqa: E402
from taplib import Tap, fnv1a64  # noqa: E402
from vm import Vm  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ENGINE_IDS = ('0x5653', '0x0d4a', '0x088000')
# Guest physical range checksummed through the DDW: kernel text, which
# nothing writes while the guest waits on its console.
PROBE_GPA = 0x10000
PROBE_LEN = 0x10000
TRACE = ['spapr_iommu_ddw_*', 'spapr_iommu_new_table', 'spapr_iommu_pci_*',
         'vfio_spapr_*', 'vfio_listener_region_add_iommu']
# The interrupt run also traces QEMU's VFIO interrupt setup, the PHB's
# MSI and LSI RTAS work and XICS source programming.
IRQ_TRACE = TRACE + ['vfio_intx_*', 'vfio_msi_*', 'vfio_msix_*',
                     'spapr_pci_msi*', 'spapr_pci_rtas_*', 'spapr_pci_lsi_set',
                     'xics_ics_write_xive']
BOOT_TIMEOUT = 240


def find_qemu(tap):
    qemu = os.environ.get('INTEROP_QEMU') or shutil.which('qemu-system-ppc64')
    if qemu:
        return qemu
    if os.geteuid() == 0 and shutil.which('apt-get'):
        tap.diag('installing qemu-system-ppc')
        subprocess.run(['apt-get', 'install', '-y', '-q', 'qemu-system-ppc'],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return shutil.which('qemu-system-ppc64')


def guest_files(tap):
    """(vmlinux, busybox, [modules], description) or raises Unavailable."""
    kernel = os.environ.get('INTEROP_KERNEL')
    if kernel:
        mods = os.environ.get('INTEROP_MODULES', '').split(':')
        busybox = os.environ.get('INTEROP_BUSYBOX')
        if not busybox or not all(mods):
            raise guestimage.Unavailable('INTEROP_KERNEL needs '
                                         'INTEROP_BUSYBOX and INTEROP_MODULES')
        return kernel, busybox, mods, kernel
    d = guestimage.prepare(tap.diag,
                           refresh=bool(os.environ.get('INTEROP_REFRESH')))
    mods = sorted(os.path.join(d, 'modules', m)
                  for m in os.listdir(os.path.join(d, 'modules')))
    with open(os.path.join(d, 'versions')) as f:
        desc = ', '.join(f.read().split('\n')).strip(', ')
    return (os.path.join(d, 'vmlinux'), os.path.join(d, 'busybox'), mods,
            desc)


def interop_lines(lines, key):
    return [line.split()[2:] for line in lines
            if line.startswith('INTEROP ' + key + ' ')
            or line == 'INTEROP ' + key]


def trace_counts(lines):
    c = collections.Counter()
    for line in lines:
        m = re.match(r'(?:\d+@[\d.]+:)?(\w+)', line)
        if m:
            c[m.group(1)] += 1
    return c


class Boot:
    """One guest boot up to its wait points, with the results it printed."""

    def __init__(self, tap, env, name, extra_append='', host=None,
                 machine='pseries', trace=TRACE):
        self.tap = tap
        self.name = name
        workdir = os.path.join(env['workdir'], name)
        os.makedirs(workdir, exist_ok=True)
        append = ('console=hvc0 quiet interop.gpa=%#x interop.len=%#x %s'
                  % (PROBE_GPA, PROBE_LEN, extra_append)).strip()
        self.vm = Vm(workdir, env['run'], env['qemu'], env['kernel'],
                     env['initrd'], append, host=host, trace=trace,
                     log=tap.diag, machine=machine)
        self.lines = []

    def until(self, prefix, timeout=BOOT_TIMEOUT):
        return self.vm.wait_for('INTEROP ' + prefix, timeout, self.lines)

    def get(self, key):
        return interop_lines(self.lines, key)

    def check_device(self):
        tap = self.tap
        pci = self.get('pci')
        tap.ok([p[1:] for p in pci] == [list(ENGINE_IDS)],
               '%s: the guest sees one PCI device, vfio-sim\'s dma-engine '
               '(vendor, device, class)' % self.name, pci)
        bars = {int(b[0]): (int(b[1], 16), int(b[2], 16), int(b[3], 16))
                for b in self.get('bar')}
        sizes = {i: e - s + 1 for i, (s, e, _) in bars.items()}
        # IORESOURCE_MEM 0x200, IORESOURCE_PREFETCH 0x2000,
        # IORESOURCE_MEM_64 0x100000.
        ok = (sizes == {0: 0x1000, 2: 0x10000}
              and bars[0][2] & 0x200 and not bars[0][2] & 0x100000
              and bars[2][2] & 0x102200 == 0x102200)
        tap.ok(ok, '%s: the guest sees BAR0 4 KiB 32-bit and BAR2 64 KiB '
               '64-bit prefetchable' % self.name, bars)

    def finish(self):
        """Let the guest power off; returns QEMU's exit status."""
        rc = self.vm.finish(60)
        c = trace_counts(self.vm.trace())
        self.tap.diag('%s: QEMU exited %d after %.1f s; trace events: %s'
                      % (self.name, rc, self.vm.seconds,
                         ', '.join('%s=%d' % kv for kv in sorted(c.items()))))
        return rc


def ddw_prop(boot):
    """(liobn, dma_base, tce_shift, window_shift) of the guest's DDW."""
    props = boot.get('ddw')
    if len(props) != 1:
        return None
    raw = bytes.fromhex(props[0][1])
    # struct dynamic_dma_window_prop: be32 liobn, padding to 8, be64
    # dma_base, be32 tce_shift, be32 window_shift.
    if len(raw) != 24:
        return None
    return (int.from_bytes(raw[0:4], 'big'), int.from_bytes(raw[8:16], 'big'),
            int.from_bytes(raw[16:20], 'big'),
            int.from_bytes(raw[20:24], 'big'))


def guest_ram_checksum(boot, gpa, length):
    path = os.path.join(boot.vm.workdir, 'pmemsave.bin')
    boot.vm.qmp.cmd('pmemsave', val=gpa, size=length, filename=path)
    with open(path, 'rb') as f:
        data = f.read()
    return fnv1a64(data) if len(data) == length else None


def windows(state):
    return [w for c in state['containers'] for w in c['windows']]


def check_exit_report(tap, name, report):
    if not tap.ok(report is not None, '%s: vfio-sim wrote its exit report'
                  % name):
        return
    if 'left_after_exit' not in report:
        tap.skip('%s: nothing is left after the fds are closed at exit'
                 % name, 'the report has no released_at_exit/left_after_exit'
                 ' split yet (issue 10)')
        return
    tap.diag('%s: released only by the close at exit: %s'
             % (name, report.get('released_at_exit')))
    left = report['left_after_exit']
    tap.ok(not any(left.values()) if isinstance(left, dict) else not left,
           '%s: nothing is left after the fds are closed at exit' % name,
           left)


def run_ddw(tap, env):
    b = Boot(tap, env, 'ddw')
    try:
        if not tap.ok(b.until('wait bind') is not None,
                      'ddw: the guest boots to its /init', b.vm.stderr()):
            return
        b.vm.connect()
        b.check_device()
        b.vm.send_line('go')
        if not tap.ok(b.until('wait end') is not None,
                      'ddw: the guest binds e1000e and survives',
                      b.vm.stderr()):
            return
        tap.ok(b.get('driver') and b.get('driver')[0] in ([], ['e1000e']),
               'ddw: e1000e probed the device (and may have given up on '
               'its NVM)', b.get('driver'))
        prop = ddw_prop(b)
        if not tap.ok(prop is not None, 'ddw: the guest created a DDW '
                      '(linux,direct64-ddr-window-info)', b.get('ddw')):
            return
        liobn, base, tce_shift, win_shift = prop
        tap.diag('ddw: liobn %#x base %#x tce_shift %d window_shift %d'
                 % prop)
        st = b.vm.control.cmd('state')
        host = [w for w in windows(st) if w['start'] == base]
        tap.ok(len(host) == 1 and host[0]['size'] >= 1 << win_shift and
               host[0]['mapped'] > 0,
               'ddw: QEMU made a host window at the DDW\'s base, covering it'
               ' and mapped', windows(st))
        tc = trace_counts(b.vm.trace())
        tap.ok(tc['spapr_iommu_ddw_query'] >= 1 and
               tc['spapr_iommu_ddw_create'] == 1,
               'ddw: the guest queried and created the window through RTAS',
               tc)
        # Guest memory, the device through the DDW from the guest, and
        # the device through the DDW from the host must agree.
        b.vm.qmp.cmd('stop')
        want = guest_ram_checksum(b, PROBE_GPA, PROBE_LEN)
        r = b.vm.control.cmd('dma', op='checksum', src=base + PROBE_GPA,
                             len=PROBE_LEN)
        b.vm.qmp.cmd('cont')
        # For replay-test.py: the probed range and what it held.
        with open(os.path.join(b.vm.workdir, 'probe'), 'w') as f:
            f.write('%#x %#x %#x\n' % (PROBE_GPA, PROBE_LEN, want or 0))
        tap.diag('ddw: pmemsave FNV-1a %#x; host-driven dma %s'
                 % (want or 0, r))
        # The control channel gives RESULT as a signed JSON integer.
        tap.ok(r['error'] == 'none' and r['done'] == PROBE_LEN and
               r['result'] & (1 << 64) - 1 == want,
               'ddw: the device, driven through vfio-sim\'s control channel,'
               ' reads through the DDW what pmemsave reads', r)
        g = b.get('guest-dma')
        ok = (len(g) == 1 and int(g[0][0], 16) == 2 and
              int(g[0][1], 16) == want and int(g[0][2], 16) == 0)
        tap.ok(ok, 'ddw: the device, driven by the guest through /dev/mem,'
               ' reads through the DDW what pmemsave reads',
               (g, b.get('command'), b.get('engine-id')))
        b.vm.send_line('go')
        tap.ok(b.until('done', 60) is not None,
               'ddw: the guest powers off')
    finally:
        rc = b.finish()
    tap.ok(rc == 0, 'ddw: QEMU exits 0', b.vm.stderr())
    vfio_errors = [line for line in b.vm.stderr().splitlines()
                   if 'vfio' in line.lower()]
    tap.ok(not vfio_errors, 'ddw: QEMU reports no VFIO error or warning',
           vfio_errors)
    rep = b.vm.report()
    check_exit_report(tap, 'ddw', rep)
    env['ddw_report'] = rep
    # QEMU probes ERR's IRQ info (EINVAL for a conventional PCI device) and
    # sizes the hot-reset info with a first short call (ENOSPC); nothing
    # of the container, the group or the IOMMU may have failed.
    failed = {k: v for k, v in (rep or {}).get('ioctls', {}).items()
              if v['errors'] and k.startswith(('VFIO_IOMMU', 'VFIO_GROUP',
                                              'VFIO_SET', 'VFIO_CHECK',
                                              'VFIO_GET', 'VFIO_EEH'))}
    tap.ok(rep is not None and not failed, 'ddw: every container, group, '
           'IOMMU and EEH ioctl QEMU made succeeded', failed)


def run_noddw(tap, env):
    b = Boot(tap, env, 'noddw', 'disable_ddw')
    try:
        if not tap.ok(b.until('wait bind') is not None,
                      'noddw: the guest boots to its /init', b.vm.stderr()):
            return
        b.vm.connect()
        b.check_device()
        b.vm.send_line('go')
        if not tap.ok(b.until('wait end') is not None,
                      'noddw: the guest binds e1000e and survives',
                      b.vm.stderr()):
            return
        tap.ok(ddw_prop(b) is None and b.get('ddw-count') == [['0']],
               'noddw: with disable_ddw the guest creates no DDW',
               b.get('ddw'))
        st = b.vm.control.cmd('state')
        w = windows(st)
        tap.ok(len(w) == 1 and w[0]['start'] == 0,
               'noddw: the host has the default window only', w)
        tc = trace_counts(b.vm.trace())
        tap.ok(tc['spapr_iommu_ddw_create'] == 0,
               'noddw: no ibm,create-pe-dma-window call', tc)
        b.vm.send_line('go')
        tap.ok(b.until('done', 60) is not None,
               'noddw: the guest powers off')
    finally:
        rc = b.finish()
    tap.ok(rc == 0, 'noddw: QEMU exits 0', b.vm.stderr())
    check_exit_report(tap, 'noddw', b.vm.report())


def run_retry(tap, env):
    """The host refuses the DDW's first TCE_CREATE once."""
    b = Boot(tap, env, 'retry')
    try:
        if not tap.ok(b.until('wait bind') is not None,
                      'retry: the guest boots to its /init', b.vm.stderr()):
            return
        b.vm.connect()
        # ENOMEM is what the kernel answers when a level of the table is
        # larger than it can allocate (pnv_pci_ioda2_table_alloc_pages).
        b.vm.control.cmd('fault', ioctl='VFIO_IOMMU_SPAPR_TCE_CREATE',
                         errno='ENOMEM')
        b.vm.send_line('go')
        b.until('wait end', 120)
        prop = ddw_prop(b)
        st = b.vm.control.cmd('state')
        b.vm.send_line('go')
        b.until('done', 60)
    finally:
        rc = b.finish()
    ddw = [w for w in windows(st) if prop and w['start'] == prop[1]]
    rep = b.vm.report() or {'ioctls': {}}
    create = rep['ioctls'].get('VFIO_IOMMU_SPAPR_TCE_CREATE')
    tap.diag('retry: host windows %s; TCE_CREATE %s' % (windows(st), create))
    # Recorded QEMU 7.2 behaviour: a failed TCE_CREATE is retried with one
    # more level, and the guest gets its window.
    first = [w['levels'] for w in windows(env.get('ddw_report') or
                                          {'containers': []})
             if w['start'] != 0]
    levels = first[0] + 1 if first else 2
    tap.ok(prop is not None and len(ddw) == 1 and
           ddw[0]['levels'] >= levels and
           create is not None and create.get('calls') == 3 and
           create.get('errors') == 1 and rc == 0,
           'retry: QEMU 7.2 retries a refused TCE_CREATE with more levels '
           'and the guest still gets its DDW', (prop, ddw, create, rc))


def run_nobacking(tap, env):
    """The host cannot charge the DDW's table to locked memory."""
    rep = env.get('ddw_report')
    ddw = [w for w in windows(rep) if not w['start'] == 0] if rep else []
    if len(ddw) != 1:
        tap.skip('nobacking: QEMU 7.2 with a host that cannot back the DDW',
                 'needs the ddw run\'s report to size the memlock limit')
        return
    # Room for everything the ddw run locked except half the DDW's table.
    limit = rep['locked_bytes'] - ddw[0]['charged'] // 2
    b = Boot(tap, env, 'nobacking', host='memlock=%d' % limit)
    end = None
    try:
        if not tap.ok(b.until('wait bind') is not None,
                      'nobacking: the guest boots to its /init under a '
                      'memlock limit of %d' % limit, b.vm.stderr()):
            return
        b.vm.connect()
        b.vm.send_line('go')
        end = b.until('wait end', 120)
        if end is not None:
            b.vm.send_line('go')
            b.until('done', 60)
    finally:
        rc = b.finish()
    err = b.vm.stderr()
    tap.diag('nobacking: QEMU exit status %d, guest reached its end: %s, '
             'DDW %s; QEMU said:\n%s'
             % (rc, end is not None, ddw_prop(b),
                '\n'.join(line for line in err.splitlines()
                          if line.startswith('qemu'))))
    # Recorded QEMU 7.2 behaviour: the failed TCE_CREATE (ENOMEM, every
    # level count) ends in hw_error(), which aborts the whole VM, so the
    # guest never gets an RTAS error it could survive, and vfio-sim
    # writes no exit report (abort() runs no exit handlers).
    tap.ok('Failed to create a window, ret = -1 (Cannot allocate memory)'
           in err, 'nobacking: vfio-sim refused the DDW\'s TCE_CREATE with '
           'ENOMEM, as QEMU reports', err)
    tap.ok(end is None and rc == -6 and 'hardware error' in err,
           'nobacking: QEMU 7.2 aborts (hw_error) when the host cannot back'
           ' the DDW (recorded behaviour)', (rc, err))


def run_levels1(tap, env):
    """A host whose GET_INFO offers one table level only."""
    rep = env.get('ddw_report')
    if rep is None:
        tap.skip('levels1: QEMU 7.2 with a host that offers one table level',
                 'needs the ddw run\'s report for the levels QEMU asks for')
        return
    asked = max(w['levels'] for w in windows(rep))
    b = Boot(tap, env, 'levels1', host='levels=1')
    prop = None
    try:
        end = b.until('wait bind', 120)
        if end is not None:
            b.vm.send_line('go')
            b.until('wait end', 120)
            prop = ddw_prop(b)
            b.vm.send_line('go')
            b.until('done', 60)
    finally:
        rc = b.finish()
    err = b.vm.stderr()
    if asked > 1:
        # Recorded QEMU 7.2 behaviour: it picks a table's levels itself (2
        # for the default 1 GiB of 4 KiB pages on a 4 KiB host), gets
        # EINVAL (as from pnv_pci_ioda2_create_table for more levels than
        # the host has), only ever retries with more, and aborts in
        # hw_error() at machine reset, before the guest runs.
        tap.ok(end is None and rc == -6 and
               'Failed to create SPAPR window: Invalid argument' in err,
               'levels1: QEMU 7.2 aborts at reset when the host offers '
               'fewer table levels (1) than it asks for (%d; recorded '
               'behaviour)' % asked, (rc, err))
    else:
        tap.ok(end is not None and prop is not None and rc == 0,
               'levels1: QEMU 7.2 asks for one level only (as in the ddw '
               'run) and the guest gets its DDW', (rc, prop, err))


def irq_line(fields):
    """(count, name) from an INTEROP irq-* line: "N: count XICS ... name"."""
    if len(fields) < 3 or not fields[0].endswith(':'):
        return None
    return int(fields[1]), fields[-1]


def run_irq(tap, env):
    """INTx to a Linux handler through QEMU 7.2, then an EEH freeze."""
    b = Boot(tap, env, 'irq', 'interop.mode=irq',
             machine='pseries,ic-mode=xics', trace=IRQ_TRACE)
    st = frozen = None
    try:
        if not tap.ok(b.until('wait bind') is not None,
                      'irq: the guest boots to its /init', b.vm.stderr()):
            return
        b.vm.connect()
        b.vm.send_line('go')
        if not tap.ok(b.until('wait freeze') is not None,
                      'irq: the guest binds uio_pci_generic and drives the '
                      'engine', b.vm.stderr()):
            return
        st = b.vm.control.cmd('device')
        before = irq_line(b.get('irq-before')[0]) if b.get('irq-before') \
            else None
        after = irq_line(b.get('irq-after')[0]) if b.get('irq-after') \
            else None
        tap.diag('irq: uio_pci_generic %s -> %s; host %s'
                 % (before, after, st['irq']))
        tap.ok(b.get('uio-driver') == [['uio_pci_generic']],
               'irq: uio_pci_generic bound through driver_override',
               b.get('uio-driver'))
        g = b.get('guest-dma')
        tap.ok(len(g) == 1 and int(g[0][0], 16) == 2,
               'irq: the guest-driven CHECKSUM completes', g)
        tap.ok(before is not None and after is not None and
               after[0] > before[0],
               'irq: the completion\'s INTx reaches the guest\'s handler '
               '(/proc/interrupts %s -> %s)' % (before and before[0],
                                                after and after[0]),
               (b.get('irq-before'), b.get('irq-after')))
        q = st['irq']
        tap.ok(q['type'] == 'intx' and q['eventfds'] >= 1 and
               q['signals']['intx'] >= 1,
               'irq: vfio-sim holds QEMU\'s INTx trigger eventfd and '
               'signalled it', q)
        # The guest's handler masked with Interrupt Disable; the unmask
        # QEMU sends after each BAR access must not signal again then.
        n = after[0] - before[0] if before and after else None
        tap.ok(q['signals']['intx'] == n,
               'irq: the host signalled INTx as often as the guest\'s '
               'handler ran (%s)' % n, q['signals'])
        # EEH: freeze the PE as a hardware error would, then let the
        # guest touch the device.
        frozen = b.vm.control.cmd('eeh', action='freeze')
        b.vm.send_line('go')
        end = b.until('wait end', 120)
        eeh = b.vm.control.cmd('eeh')
        log = [' '.join(x) for x in b.get('eeh-log')]
        tap.diag('irq: EEH after the freeze %s, at the end %s; guest '
                 'read %s; guest log:\n%s'
                 % (frozen, eeh, b.get('eeh-read'), '\n'.join(log)))
        tap.ok(frozen['mmio_frozen'] and frozen['dma_frozen'],
               'irq: the control channel froze the PE', frozen)
        tap.ok(b.get('eeh-read') == [['ffffffff']],
               'irq: the guest reads all ones from the frozen device\'s '
               'config space', b.get('eeh-read'))
        tap.ok(any('EEH: Recovery successful' in x for x in log),
               'irq: Linux\'s EEH core recovers the PE through QEMU\'s '
               'RTAS and VFIO_EEH_PE_OP', log)
        tap.ok(not eeh['mmio_frozen'] and not eeh['dma_frozen'],
               'irq: the PE is thawed on the host after the recovery', eeh)
        g2 = b.get('guest-dma-after-eeh')
        ok = (len(g2) == 1 and len(g) == 1 and int(g2[0][0], 16) == 2 and
              g2[0][1] == g[0][1])
        tap.ok(ok, 'irq: after the recovery the device checksums the same '
               'bytes through the DDW', (g, g2))
        if end is not None:
            b.vm.send_line('go')
            b.until('done', 60)
    finally:
        rc = b.finish()
    tap.ok(rc == 0, 'irq: QEMU exits 0', b.vm.stderr())
    rep = b.vm.report()
    check_exit_report(tap, 'irq', rep)
    tc = trace_counts(b.vm.trace())
    irqs = {k: v['calls'] for k, v in (rep or {}).get('ioctls', {}).items()
            if k in ('VFIO_DEVICE_SET_IRQS', 'VFIO_EEH_PE_OP')}
    tap.diag('irq: QEMU\'s interrupt and EEH host calls %s; trace %s'
             % (irqs, {k: v for k, v in tc.items()
                       if k.startswith(('vfio_intx', 'vfio_msi',
                                        'spapr_pci', 'xics'))}))
    seq = [re.sub(r'^(?:\d+@[\d.]+:)?(\w+).*?(Enabled \d+ \w+ '
                  r'vectors)?$', lambda m: m.group(1) + (
                      ' (%s)' % m.group(2) if m.group(2) else ''), line)
           for line in b.vm.trace()
           if re.match(r'(?:\d+@[\d.]+:)?vfio_(intx_(en|dis)able|'
                       r'msix?_(en|dis)able)', line)]
    tap.diag('irq: QEMU\'s host interrupt switches (SET_IRQS), in order: '
             + ', '.join(seq))
    q = [d['irq'] for d in (rep or {}).get('devices', [])]
    tap.diag('irq: the exit report\'s interrupt state %s' % q)
    # Recorded QEMU 7.2 behaviour: it quits with the device's INTx still
    # enabled, so the report (what QEMU itself left) holds its trigger and
    # unmask eventfds; the close at exit releases them
    # (vfio_pci_core_disable), which left_after_exit checks above.
    tap.ok(len(q) == 1 and q[0]['type'] == 'intx' and
           q[0]['eventfds'] == 2,
           'irq: QEMU 7.2 quits with INTx enabled and its 2 eventfds held '
           '(recorded behaviour; the close at exit releases them)', q)
    tap.ok(irqs.get('VFIO_EEH_PE_OP', 0) > 2 and
           not (rep or {}).get('ioctls', {}).get('VFIO_EEH_PE_OP',
                                                 {}).get('errors'),
           'irq: every VFIO_EEH_PE_OP of QEMU\'s recovery succeeded', irqs)


def main():
    tap = Tap()
    t0 = time.monotonic()
    env = {'run': os.environ.get('VFIO_SIM_RUN'),
           'workdir': os.environ.get('INTEROP_WORKDIR') or
           os.path.join(os.getcwd(), 'interop-run')}
    reason = None
    san = os.environ.get('INTEROP_SANITIZE', 'none')
    if san not in ('', 'none'):
        reason = ('libvfio-sim is built with -fsanitize=%s and cannot be '
                  'preloaded into Debian\'s QEMU' % san)
    elif not env['run']:
        reason = 'VFIO_SIM_RUN is not set (run through meson)'
    if reason is None:
        env['qemu'] = find_qemu(tap)
        if not env['qemu']:
            reason = 'qemu-system-ppc64 is not installed and cannot be'
    if reason is None:
        os.makedirs(env['workdir'], exist_ok=True)
        try:
            kernel, busybox, mods, desc = guest_files(tap)
            env['kernel'] = kernel
            env['initrd'] = guestimage.build_initramfs(
                os.path.dirname(busybox) if not os.environ.get(
                    'INTEROP_KERNEL') else env['workdir'],
                busybox, mods, os.path.join(HERE, 'guest-init.sh'))
            tap.diag('guest: ' + desc)
        except guestimage.Unavailable as e:
            reason = 'guest packages unavailable: %s' % e
    if reason is not None:
        print('1..0 # SKIP ' + reason)
        return 0
    os.makedirs(env['workdir'], exist_ok=True)
    tap.diag('QEMU: ' + subprocess.run([env['qemu'], '--version'],
                                       stdout=subprocess.PIPE,
                                       text=True).stdout.splitlines()[0])
    only = os.environ.get('INTEROP_ONLY',
                          'ddw,noddw,retry,nobacking,levels1,irq'
                          ).split(',')
    for name, fn in (('ddw', run_ddw), ('noddw', run_noddw),
                     ('irq', run_irq),
                     ('retry', run_retry), ('nobacking', run_nobacking),
                     ('levels1', run_levels1)):
        if name in only:
            fn(tap, env)
    tap.diag('total %.1f s' % (time.monotonic() - t0))
    print('1..%d' % tap.n)
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())
