"""The serial protocol, host side (twin of csrc/ge_proto.c; contract in docs/PROTOCOL.md).

Frames: COBS-encoded, 0x00-delimited; decoded frame = version u8, type u8,
seq u16 LE, payload, CRC-32 (zlib) u32 LE over everything before it.
"""
from __future__ import annotations

import struct
import time
import zlib
from dataclasses import dataclass, field

import numpy as np

VERSION = 1
HELLO, SAMPLES, WINDOW, RESET = 0x01, 0x02, 0x03, 0x04
HELLO_R, ACK, RESULT, ERROR = 0x81, 0x82, 0x83, 0xEE
ERRORS = {-1: "null pointer", -2: "window length", -3: "NaN/Inf sample", -4: "sample out of range",
          -5: "feature set", -6: "not ready", -7: "argument", -8: "CRC mismatch", -9: "bad frame",
          -10: "protocol version", -11: "frame too large", -12: "bad message"}
FEATURESETS = {0: "paper", 1: "wisdm", 2: "extended"}


class ProtocolError(IOError):
    def __init__(self, msg, code=None):
        super().__init__(msg)
        self.code = code


def cobs_encode(data: bytes) -> bytes:
    out = bytearray([0])
    code_at, code = 0, 1
    for b in data:
        if b == 0:
            out[code_at] = code
            code_at, code = len(out), 1
            out.append(0)
        else:
            out.append(b)
            code += 1
            if code == 0xFF:
                out[code_at] = code
                code_at, code = len(out), 1
                out.append(0)
    out[code_at] = code
    return bytes(out)


def cobs_decode(data: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(data):
        code = data[i]
        i += 1
        if code == 0 or i + code - 1 > len(data):
            raise ProtocolError("bad COBS block", -9)
        block = data[i:i + code - 1]
        if 0 in block:
            raise ProtocolError("zero inside COBS block", -9)
        out += block
        i += code - 1
        if code != 0xFF and i < len(data):
            out.append(0)
    return bytes(out)


def pack(msg_type: int, seq: int, payload: bytes = b"") -> bytes:
    body = struct.pack("<BBH", VERSION, msg_type, seq & 0xFFFF) + payload
    return cobs_encode(body + struct.pack("<I", zlib.crc32(body))) + b"\x00"


@dataclass
class Frame:
    type: int
    seq: int
    payload: bytes


def unpack(enc: bytes) -> Frame:
    raw = cobs_decode(enc)
    if len(raw) < 8:
        raise ProtocolError("frame too short", -9)
    if struct.unpack("<I", raw[-4:])[0] != zlib.crc32(raw[:-4]):
        raise ProtocolError("CRC mismatch", -8)
    if raw[0] != VERSION:
        raise ProtocolError(f"protocol version {raw[0]}", -10)
    return Frame(raw[1], struct.unpack("<H", raw[2:4])[0], raw[4:-4])


@dataclass
class Result:
    status: int
    index: int
    cls: int
    decision: int
    auth_score: float
    feature_ticks: int
    model_ticks: int
    features: np.ndarray
    scores: np.ndarray


def parse_result(p: bytes) -> Result:
    try:
        st, idx, cls, dec, auth, t_f, t_m, nf = struct.unpack_from("<bIhbfIIH", p, 0)
        off = struct.calcsize("<bIhbfIIH")
        feats = np.frombuffer(p, dtype="<f4", count=nf, offset=off).astype(np.float32)
        off += 4 * nf
        (nc,) = struct.unpack_from("<H", p, off)
        scores = np.frombuffer(p, dtype="<f4", count=nc, offset=off + 2).astype(np.float32)
        if off + 2 + 4 * nc != len(p):
            raise ValueError("length")
    except (struct.error, ValueError):
        raise ProtocolError("malformed RESULT payload", -12) from None
    return Result(st, idx, cls, dec, auth, t_f, t_m, feats, scores)


def parse_hello(p: bytes) -> dict:
    try:
        ver = p[0]
        fw = p[1:25].rstrip(b"\0").decode()
        h = p[25:89].decode()
        kind = p[89:93].rstrip(b"\0").decode()
        is_auth, fs, nf, nc, rate, wlen, ns = struct.unpack_from("<BBHHHHB", p, 93)
    except (IndexError, struct.error, UnicodeDecodeError):
        raise ProtocolError("malformed HELLO reply", -12) from None
    return {"protocol_version": ver, "firmware": fw, "model_hash": h, "classifier": kind,
            "task": "authenticate" if is_auth else "identify", "featureset": FEATURESETS.get(fs, str(fs)),
            "n_features": nf, "n_classes": nc, "sample_rate_hz": rate, "window_len": wlen, "sensors": ns}


@dataclass
class Stats:
    requests: int = 0
    retries: int = 0
    timeouts: int = 0
    crc_errors: int = 0
    bad_frames: int = 0
    device_errors: int = 0
    stale: int = 0
    bytes_out: int = 0
    bytes_in: int = 0
    events: list = field(default_factory=list)


class Client:
    """Request/reply over any pyserial port: bounded retries on timeout, CRC failure or device
    ERROR; raises ProtocolError when a request gets no valid answer. Never returns unchecked data."""

    def __init__(self, port, timeout=2.0, retries=3):
        self.port, self.timeout, self.retries = port, timeout, retries
        self.seq = 0
        self.buf = bytearray()
        self.stats = Stats()

    def _frames(self, deadline):
        """Yield decoded frames (or ProtocolError instances for broken ones) until the deadline."""
        while time.monotonic() < deadline:
            k = self.buf.find(b"\x00")
            if k < 0:
                chunk = self.port.read(max(1, self.port.in_waiting or 1))
                if chunk:
                    self.stats.bytes_in += len(chunk)
                    self.buf += chunk
                continue
            enc, self.buf = bytes(self.buf[:k]), self.buf[k + 1:]
            if not enc:
                continue
            try:
                yield unpack(enc)
            except ProtocolError as e:
                yield e

    def request(self, msg_type, payload=b"", until=(ACK,), collect=(), timeout=None):
        """Send one request; return (final frame, [collected frames]) for this seq."""
        last = "no reply"
        for attempt in range(self.retries + 1):
            if attempt:
                self.stats.retries += 1
            self.seq = (self.seq + 1) & 0xFFFF
            seq = self.seq
            data = pack(msg_type, seq, payload)
            self.port.write(data)
            self.port.flush()
            self.stats.requests += 1
            self.stats.bytes_out += len(data)
            got = []
            deadline = time.monotonic() + (timeout or self.timeout)
            for fr in self._frames(deadline):
                if isinstance(fr, ProtocolError):
                    if fr.code == -8:
                        self.stats.crc_errors += 1
                    else:
                        self.stats.bad_frames += 1
                    last = str(fr)
                    break                                # a broken reply: retry the request
                if fr.type == ERROR and fr.seq == 0 and fr.payload and \
                        struct.unpack_from("<b", fr.payload)[0] in (-8, -9, -10, -11):
                    self.stats.device_errors += 1        # the device could not read a request: ours
                    last = f"device could not decode the request ({ERRORS.get(fr.payload[0] - 256, '?')})"
                    break
                if fr.seq != seq:
                    self.stats.stale += 1                # an answer to an older request
                    continue
                if fr.type == ERROR:
                    self.stats.device_errors += 1
                    code = struct.unpack_from("<b", fr.payload)[0] if fr.payload else 0
                    last = f"device error {code} ({ERRORS.get(code, '?')})"
                    if code == -12:                      # the device says the message itself is wrong
                        raise ProtocolError(last, code)
                    break
                if fr.type in collect:
                    got.append(fr)
                elif fr.type in until:
                    return fr, got
            else:
                self.stats.timeouts += 1
                last = "timeout"
            self.stats.events.append(f"seq {seq} attempt {attempt + 1}: {last}")
            self._resync()
            if msg_type == SAMPLES:      # not idempotent: the caller must reset and resend
                raise ProtocolError(f"SAMPLES request failed: {last}")
        raise ProtocolError(f"no valid reply after {self.retries + 1} attempts: {last}")

    def _resync(self):
        time.sleep(min(0.05, self.timeout / 4))   # let the rest of a broken reply arrive, then drop it
        self.port.reset_input_buffer()
        self.buf.clear()

    def hello(self):
        fr, _ = self.request(HELLO, until=(HELLO_R,))
        return parse_hello(fr.payload)

    def reset(self):
        self.request(RESET, until=(ACK,))

    def window(self, win):
        """One planar (3, n) window -> Result."""
        w = np.ascontiguousarray(win, dtype="<f4")
        fr, _ = self.request(WINDOW, struct.pack("<H", w.shape[1]) + w.tobytes(), until=(RESULT,))
        return parse_result(fr.payload)

    def samples(self, xyz):
        """Push (k, 3) samples into the streaming windower -> (results of completed windows, ack)."""
        s = np.ascontiguousarray(xyz, dtype="<f4")
        fr, got = self.request(SAMPLES, struct.pack("<H", len(s)) + s.tobytes(), until=(ACK,),
                               collect=(RESULT,), timeout=self.timeout * 2)
        _, pushed, done, buffered = struct.unpack_from("<BHHH", fr.payload)
        if done != len(got) or pushed != len(s):
            raise ProtocolError(f"ACK says {pushed} pushed / {done} windows, got {len(got)} results")
        return [parse_result(g.payload) for g in got], buffered
