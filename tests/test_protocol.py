"""The protocol: Python and C against each other, resynchronisation, corruption."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gaitedge import protocol as P
from gaitedge._core import ffi, lib


def c_encode(data: bytes) -> bytes:
    out = ffi.new("uint8_t[]", len(data) + len(data) // 254 + 2)
    n = ffi.new("size_t *")
    assert lib.ge_cobs_encode(data, len(data), out, len(out), n) == 0
    return bytes(ffi.buffer(out, n[0]))


def c_decode(data: bytes):
    out = ffi.new("uint8_t[]", len(data) + 1)
    n = ffi.new("size_t *")
    st_ = lib.ge_cobs_decode(data, len(data), out, len(out), n)
    return st_, bytes(ffi.buffer(out, n[0])) if st_ == 0 else None


def c_pack(t, seq, payload):
    scratch = ffi.new("uint8_t[]", len(payload) + 8)
    out = ffi.new("uint8_t[]", len(payload) + len(payload) // 254 + 12)
    n = ffi.new("size_t *")
    assert lib.ge_frame_pack(t, seq, payload, len(payload), scratch, len(scratch), out, len(out), n) == 0
    return bytes(ffi.buffer(out, n[0]))


def c_unpack(enc):
    scratch = ffi.new("uint8_t[]", len(enc) + 8)
    f = ffi.new("ge_frame_t *")
    st_ = lib.ge_frame_unpack(enc, len(enc), scratch, len(scratch), f)
    if st_ != 0:
        return st_, None
    return 0, (f.type, f.seq, bytes(ffi.buffer(f.payload, f.len)))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=1100))
def test_cobs_python_equals_c(data):
    enc = P.cobs_encode(data)
    assert 0 not in enc
    assert enc == c_encode(data)
    assert P.cobs_decode(enc) == data
    assert c_decode(enc) == (0, data)


def test_cobs_long_runs():
    for data in (b"\x01" * 254, b"\x01" * 255, b"\x01" * 508, b"\x00" * 300, b"", b"\x00"):
        assert P.cobs_decode(P.cobs_encode(data)) == data == c_decode(c_encode(data))[1]


@settings(max_examples=200, deadline=None)
@given(t=st.integers(0, 255), seq=st.integers(0, 65535), payload=st.binary(max_size=600))
def test_frames_python_equals_c(t, seq, payload):
    wire = P.pack(t, seq, payload)
    assert wire == c_pack(t, seq, payload) and wire[-1] == 0 and 0 not in wire[:-1]
    assert c_unpack(wire[:-1]) == (0, (t, seq, payload))
    fr = P.unpack(wire[:-1])
    assert (fr.type, fr.seq, fr.payload) == (t, seq, payload)


@settings(max_examples=200, deadline=None)
@given(payload=st.binary(min_size=1, max_size=300), bit=st.integers(0, 10_000))
def test_any_single_bit_flip_is_detected(payload, bit):
    wire = bytearray(P.pack(P.WINDOW, 7, payload)[:-1])
    k = bit % (8 * len(wire))
    wire[k // 8] ^= 1 << (k % 8)
    st_, _ = c_unpack(bytes(wire))
    assert st_ in (-8, -9, -10)          # CRC, framing or version: never a silent pass
    try:
        P.unpack(bytes(wire))
        raise AssertionError("corrupted frame accepted")
    except P.ProtocolError:
        pass


def test_receiver_resynchronises_after_garbage():
    buf = ffi.new("uint8_t[]", 64)
    rx = ffi.new("ge_rx_t *")
    lib.ge_rx_init(rx, buf, 64)
    stream = bytes(range(1, 200)) + b"\x00" + P.pack(P.HELLO, 5, b"hi")   # overflowing garbage, then a frame
    events = []
    for b in stream:
        r = lib.ge_rx_push(rx, b)
        if r == 1:
            events.append(c_unpack(bytes(ffi.buffer(rx.buf, rx.len))))
        elif r != 0:
            events.append(r)
    assert events == [-11, (0, (P.HELLO, 5, b"hi"))]


def test_crc_matches_zlib():
    import zlib
    rng = np.random.default_rng(0)
    for n in (0, 1, 7, 1000):
        d = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        assert lib.ge_crc32(d, n) == zlib.crc32(d)
