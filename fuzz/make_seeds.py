"""Seed corpus for the device fuzzer: one valid frame stream per message type, with real windows.

    python fuzz/make_seeds.py
"""
import hashlib
import struct
from pathlib import Path

import numpy as np

from gaitedge import protocol as P
from gaitedge import sample, windows

out = Path(__file__).with_name("corpus") / "device"
out.mkdir(parents=True, exist_ok=True)
w = windows.make_windows(sample.load("accel")).X[:2]
seeds = [
    P.pack(P.HELLO, 1),
    P.pack(P.RESET, 2),
    P.pack(P.WINDOW, 3, struct.pack("<H", 200) + np.ascontiguousarray(w[0], "<f4").tobytes()),
    P.pack(P.SAMPLES, 4, struct.pack("<H", 200) + np.ascontiguousarray(w[1].T, "<f4").tobytes()),
    P.pack(P.SAMPLES, 5, struct.pack("<H", 3) + np.ones((3, 3), "<f4").tobytes()) + P.pack(P.HELLO, 6),
    b"\x00\x00garbage\x00" + P.pack(P.WINDOW, 7, struct.pack("<H", 8) + np.zeros(24, "<f4").tobytes()),
]
for s in seeds:
    (out / hashlib.sha1(s).hexdigest()).write_bytes(s)
print(f"{len(seeds)} seeds in {out}")
