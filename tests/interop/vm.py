# SPDX-License-Identifier: GPL-2.0-or-later
"""Run Debian's qemu-system-ppc64 under vfio-sim-run and talk to it.

A Vm owns one QEMU process: its console (stdin/stdout, the guest's hvc0),
its QMP socket, vfio-sim's control socket and the exit report.  Console
lines go to a log file and to a queue that wait_for() reads.
"""
import json
import os
import queue
import socket
import subprocess
import threading
import time


class JsonLines:
    """A line-per-message JSON client over a UNIX socket."""

    def __init__(self, path, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self._s.connect(path)
                break
            except OSError:
                self._s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self._s.settimeout(120.0)
        self._f = self._s.makefile('rw', encoding='utf-8')

    def send(self, obj):
        self._f.write(json.dumps(obj) + '\n')
        self._f.flush()

    def recv(self):
        line = self._f.readline()
        if not line:
            raise EOFError('socket closed')
        return json.loads(line)

    def close(self):
        self._f.close()
        self._s.close()


class Qmp(JsonLines):
    def __init__(self, path):
        super().__init__(path)
        self.recv()                             # greeting
        self.cmd('qmp_capabilities')

    def cmd(self, name, **args):
        self.send({'execute': name, 'arguments': args})
        while True:
            r = self.recv()
            if 'event' in r:
                continue
            if 'error' in r:
                raise RuntimeError('QMP %s: %s' % (name, r['error']))
            return r['return']


class Control(JsonLines):
    """vfio-sim's control channel (docs/vfio-sim.md)."""

    def cmd(self, name, **args):
        args['cmd'] = name
        self.send(args)
        r = self.recv()
        if 'error' in r:
            raise RuntimeError('vfio-sim %s: %s' % (name, r['error']))
        return r['return']


class Vm:
    def __init__(self, workdir, vfio_sim_run, qemu, kernel, initrd, append,
                 host=None, trace=(), log=print, machine='pseries'):
        self.workdir = workdir
        self.qmp_path = os.path.join(workdir, 'qmp.sock')
        self.control_path = os.path.join(workdir, 'vfio-sim.sock')
        self.report_path = os.path.join(workdir, 'vfio-sim-report.json')
        self.trace_path = os.path.join(workdir, 'qemu-trace.log')
        self.console_path = os.path.join(workdir, 'console.log')
        self.stderr_path = os.path.join(workdir, 'qemu-stderr.log')
        for p in (self.qmp_path, self.control_path, self.report_path,
                  self.trace_path):
            if os.path.exists(p):
                os.unlink(p)
        self.log = log
        cmd = [vfio_sim_run, '--device', '0001:00:01.0=dma-engine@1',
               '--control', self.control_path, '--report', self.report_path]
        # A PowerNV host has EEH, and QEMU enables it on the PE at reset.
        # INTEROP_HOST: host keys for every run, last so that they win.
        host = ','.join(h for h in ('eeh=on', host,
                                    os.environ.get('INTEROP_HOST')) if h)
        if host:
            cmd += ['--host', host]
        cmd += ['--', qemu, '-M', machine, '-m', '2G', '-smp', '1',
                '-nographic', '-nodefaults', '-serial', 'stdio',
                '-kernel', kernel, '-initrd', initrd, '-append', append,
                '-device', 'vfio-pci,host=0001:00:01.0,id=hostdev0',
                '-qmp', 'unix:%s,server=on,wait=off' % self.qmp_path,
                '-D', self.trace_path]
        for t in trace:
            cmd += ['-trace', t]
        log('# ' + ' '.join(cmd))
        self._stderr = open(self.stderr_path, 'w')
        self._console = open(self.console_path, 'w')
        self.start = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=self._stderr)
        self.lines = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.qmp = None
        self.control = None

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode('utf-8', 'replace').rstrip('\r\n')
            self._console.write(line + '\n')
            self._console.flush()
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, prefix, timeout, collect=None):
        """Lines until one starting with prefix; None at console EOF."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError('no "%s" on the console in %d s'
                                   % (prefix, timeout))
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                return None
            if collect is not None and line.startswith('INTEROP '):
                collect.append(line)
            if line.startswith(prefix):
                return line

    def send_line(self, text):
        self.proc.stdin.write(text.encode() + b'\n')
        self.proc.stdin.flush()

    def connect(self):
        self.qmp = Qmp(self.qmp_path)
        self.control = Control(self.control_path)

    def finish(self, timeout):
        """Wait for QEMU to exit; returns its exit status."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self._reader.join(5)
        for c in (self.qmp, self.control):
            if c:
                try:
                    c.close()
                except OSError:
                    pass
        self._stderr.close()
        self._console.close()
        self.seconds = time.monotonic() - self.start
        return rc

    def report(self):
        if not os.path.exists(self.report_path):
            return None
        with open(self.report_path) as f:
            return json.load(f)

    def stderr(self):
        with open(self.stderr_path) as f:
            return f.read()

    def trace(self):
        if not os.path.exists(self.trace_path):
            return []
        with open(self.trace_path, errors='replace') as f:
            return f.read().splitlines()
