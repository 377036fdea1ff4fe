"""Devices: build the firmware, start it (host pty or QEMU), hand back a pyserial URL.

    with HostDevice(bundle) as dev:      # or QemuDevice(bundle)
        port = dev.open()                 # pyserial port, HELLO-checked by the harness
"""
from __future__ import annotations

import hashlib
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import serial

from gaitedge.export.bundle import CSRC
from gaitedge.io import cache_dir

FIRMWARE = CSRC / "firmware"
TARGETS = ("host", "cortex-m4")
INSTALL_HINT = ("the Cortex-M4 target needs Debian's ARM toolchain and QEMU: "
                "apt-get install -y --no-install-recommends gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm")


class DeviceError(RuntimeError):
    pass


def _die_with_parent():
    """Linux: the device gets SIGTERM when the process that started it dies (even by SIGKILL),
    so a killed harness leaves no firmware or QEMU process behind."""
    try:
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def toolchain_missing(target):
    need = ["make", "cc"] if target == "host" else ["make", "arm-none-eabi-gcc", "arm-none-eabi-size"]
    if target == "qemu":
        need = ["qemu-system-arm"]
    return [t for t in need if shutil.which(t) is None]


def build(bundle, target="host", build_dir=None, quiet=True):
    """make the firmware for a model bundle -> path of the program/ELF. Rebuilt only when inputs change."""
    if target not in TARGETS:
        raise ValueError(f"target must be one of {TARGETS}")
    missing = toolchain_missing(target)
    if missing:
        raise DeviceError(f"missing {', '.join(missing)}; " + (INSTALL_HINT if target != "host" else "install gcc and make"))
    bundle = Path(bundle).resolve()
    if not (bundle / "gaitedge_model.c").exists():
        raise DeviceError(f"{bundle}: not an exported model bundle (run 'gaitedge export' first)")
    h = hashlib.sha256()
    for f in sorted(list(bundle.glob("*.[ch]")) + list(FIRMWARE.glob("*")) + [CSRC / "ge_proto.c", CSRC / "ge_proto.h"]):
        if f.is_file():
            h.update(f.name.encode() + f.read_bytes())
    out = Path(build_dir) if build_dir else cache_dir("firmware") / f"{target}-{h.hexdigest()[:16]}"
    binary = out / ("gaitedge-fw" if target == "host" else "gaitedge-fw.elf")
    if binary.exists():
        return binary
    r = subprocess.run(["make", "-C", str(FIRMWARE), f"TARGET={target}", f"MODEL={bundle}", f"BUILD={out}"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        msg = "\n".join(l for l in (r.stderr + r.stdout).splitlines() if "gaitedge:" in l or "error" in l.lower())
        raise DeviceError(f"firmware build ({target}) failed:\n{msg or r.stderr[-2000:]}")
    return binary


class _Device:
    url: str = ""

    def __init__(self, bundle, build_dir=None):
        self.bundle = Path(bundle)
        self.build_dir = build_dir
        self.proc = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def open(self, timeout=0.5):
        return serial.serial_for_url(self.url, baudrate=115200, timeout=timeout)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    @property
    def alive(self):
        return self.proc is not None and self.proc.poll() is None


class HostDevice(_Device):
    """The firmware built for this machine, its serial port a pseudo-terminal."""

    def start(self):
        exe = build(self.bundle, "host", self.build_dir)
        self.proc = subprocess.Popen([str(exe)], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                                     preexec_fn=_die_with_parent)
        line = self.proc.stdout.readline()
        m = re.match(r"PTY (\S+)", line or "")
        if not m:
            self.stop()
            raise DeviceError(f"host firmware did not report its pty (said {line!r})")
        self.url = m.group(1)
        return self.url


class QemuDevice(_Device):
    """The Cortex-M4F firmware on QEMU mps2-an386, UART0 on a local TCP port.

    Runs with ``-icount shift=0`` (one instruction = 1 ns of virtual time), so the SysTick
    counter (25 MHz) advances once per 40 instructions and the tick counts the device reports
    measure instructions, not the host's wall clock."""

    def __init__(self, bundle, build_dir=None, icount=True):
        super().__init__(bundle, build_dir)
        self.icount = icount

    def start(self):
        elf = build(self.bundle, "cortex-m4", self.build_dir)
        if toolchain_missing("qemu"):
            raise DeviceError("qemu-system-arm not found; " + INSTALL_HINT)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            ["qemu-system-arm", "-M", "mps2-an386", "-nographic", "-monitor", "none",
             "-semihosting-config", "enable=on,target=native", "-kernel", str(elf),
             *(["-icount", "shift=0"] if self.icount else []),
             "-serial", f"tcp:127.0.0.1:{port},server=on,wait=off"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent)
        self.url = f"socket://127.0.0.1:{port}"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise DeviceError(f"qemu exited: {self.proc.stderr.read().decode()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    pass
                # QEMU's server accepts one client at a time; this probe closed again
                return self.url
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise DeviceError("qemu did not open its serial port within 15 s")


# ----------------------------------------------------------------- size report

COMPONENTS = {"features": ("ge_features.o", "ge_window.o"), "model": ("gaitedge_model.o",),
              "protocol+app": ("ge_proto.o", "app.o"), "hal": ("hal_host.o", "hal_mps2.o")}


def _size_tool(target):
    return "arm-none-eabi-size" if target == "cortex-m4" else "size"


def _berkeley(tool, path):
    out = subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    text, data, bss = (int(v) for v in out[1].split()[:3])
    return text, data, bss


def _callgraph(build_dir):
    """Parse GCC's -fcallgraph-info=su files -> ({node: (name, bytes)}, {node: [callees]})."""
    nodes, edges = {}, {}
    for ci in Path(build_dir).glob("*.ci"):
        for line in ci.read_text().splitlines():
            if line.startswith("node:"):
                t = re.search(r'title: "([^"]+)"', line).group(1)
                b = re.search(r"(\d+) bytes \((\w+)", line)
                name = re.search(r'label: "([^\\"]+)', line).group(1)
                if b or t not in nodes:      # a declaration elsewhere must not hide the definition
                    nodes[t] = (name, int(b.group(1)) if b else None)
            elif line.startswith("edge:"):
                s = re.search(r'sourcename: "([^"]+)"', line).group(1)
                d = re.search(r'targetname: "([^"]+)"', line).group(1)
                edges.setdefault(s, set()).add(d)
    return nodes, edges


def worst_stack(build_dir, root):
    """Worst-case stack (bytes) of the call tree under `root` and the path; externals count 0."""
    nodes, edges = _callgraph(build_dir)
    by_name = {v[0]: k for k, v in nodes.items() if v[1] is not None}

    def go(node, seen):
        own = nodes.get(node, (node, 0))[1] or 0
        best, path = 0, []
        for c in edges.get(node, ()):
            if c in seen:
                continue
            d, p = go(c, seen | {c})
            if d > best:
                best, path = d, p
        return own + best, [nodes.get(node, (node, 0))[0]] + path

    key = by_name.get(root)
    if key is None:
        return None, []
    return go(key, {key})


def size_report(binary, target):
    """Flash, RAM and worst-case stack of a built firmware, per component."""
    build_dir = Path(binary).parent
    tool = _size_tool(target)
    rep = {"target": target, "components": {}}
    for comp, objs in COMPONENTS.items():
        t = d = b = 0
        for o in objs:
            if (build_dir / o).exists():
                ti, di, bi = _berkeley(tool, build_dir / o)
                t, d, b = t + ti, d + di, b + bi
        rep["components"][comp] = {"flash": t + d, "ram": d + b}
    t, d, b = _berkeley(tool, binary)
    rep["total"] = {"flash": t + d, "ram": d + b, "text": t, "data": d, "bss": b}
    if target == "cortex-m4":
        rep["total"]["note"] = "flash = text + data of the linked ELF (includes newlib parts); RAM excludes the 16 KB stack reserve"
    f_stack, f_path = worst_stack(build_dir, "ge_window_features")
    alt, alt_path = worst_stack(build_dir, "ge_features")
    if alt is not None and (f_stack is None or alt > f_stack):
        f_stack, f_path = alt, alt_path
    m_stack, m_path = worst_stack(build_dir, "ge_model_predict")
    # forests call their trees through a const table (indirect calls are not in GCC's call
    # graph): the trees are leaf functions, so add the largest tree frame
    nodes, _ = _callgraph(build_dir)
    trees = [b for name, b in nodes.values() if name.startswith("ge_tree_") and b is not None]
    if m_stack is not None and trees:
        m_stack += max(trees)
        m_path = m_path + ["ge_tree_* (via ge_trees[])"]
    rep["stack"] = {"features": f_stack, "features_path": f_path, "model": m_stack, "model_path": m_path,
                    "method": "GCC -fstack-usage/-fcallgraph-info=su, worst path; library leaves (floorf, sqrtf) count 0"}
    return rep


def format_size_report(rep, budget_flash=256 * 1024, budget_stack=4096):
    lines = [f"firmware size ({rep['target']}):", f"  {'component':14s} {'flash':>9s} {'RAM':>9s}"]
    for c, v in rep["components"].items():
        lines.append(f"  {c:14s} {v['flash']:9,d} {v['ram']:9,d}")
    t = rep["total"]
    lines.append(f"  {'total (linked)':14s} {t['flash']:9,d} {t['ram']:9,d}")
    s = rep["stack"]
    lines.append(f"  stack, worst path: features {s['features']} B ({' > '.join(s['features_path'])}), "
                 f"model {s['model']} B ({' > '.join(s['model_path'])})")
    fm = rep["components"]["features"]["flash"] + rep["components"]["model"]["flash"] + rep["components"]["protocol+app"]["flash"]
    worst = max(s["features"] or 0, s["model"] or 0)
    if rep["target"] != "cortex-m4":
        return "\n".join(lines)
    lines.append(f"  budget: model+features+protocol flash {fm:,d} B of {budget_flash:,d} "
                 f"({'ok' if fm <= budget_flash else 'OVER'}); inference stack {worst} B of {budget_stack} "
                 f"({'ok' if worst <= budget_stack else 'OVER'})")
    return "\n".join(lines)
