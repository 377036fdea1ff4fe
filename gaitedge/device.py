"""Devices: build the firmware, start it (host pty or QEMU), hand back a pyserial URL.

    with HostDevice(bundle) as dev:      # or QemuDevice(bundle)
        port = dev.open()                 # pyserial port, HELLO-checked by the harness
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import serial

from gaitedge.export.bundle import CSRC

FIRMWARE = CSRC / "firmware"
TARGETS = ("host", "cortex-m4")
INSTALL_HINT = ("the Cortex-M4 target needs Debian's ARM toolchain and QEMU: "
                "apt-get install -y --no-install-recommends gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm")


class DeviceError(RuntimeError):
    pass


def toolchain_missing(target):
    need = ["make", "cc"] if target == "host" else ["make", "arm-none-eabi-gcc", "arm-none-eabi-size"]
    if target == "qemu":
        need = ["qemu-system-arm"]
    return [t for t in need if shutil.which(t) is None]


def _cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gaitedge" / "firmware"


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
    out = Path(build_dir) if build_dir else _cache_dir() / f"{target}-{h.hexdigest()[:16]}"
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
        self.proc = subprocess.Popen([str(exe)], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"PTY (\S+)", line or "")
        if not m:
            self.stop()
            raise DeviceError(f"host firmware did not report its pty (said {line!r})")
        self.url = m.group(1)
        return self.url


class QemuDevice(_Device):
    """The Cortex-M4F firmware on QEMU mps2-an386, UART0 on a local TCP port."""

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
             "-serial", f"tcp:127.0.0.1:{port},server=on,wait=off"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
