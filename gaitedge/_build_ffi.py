"""cffi builder (out-of-line API mode) for the C feature core in csrc/.

setup.py runs it through ``cffi_modules``. Set GAITEDGE_SANITIZE=1 at build
time to compile the extension with AddressSanitizer and UBSan.
"""
import os
from pathlib import Path

from cffi import FFI

ROOT = Path(__file__).resolve().parent.parent
CSRC = ROOT / "csrc"
# Relative paths keep setuptools happy (it refuses absolute source paths).
_REL = os.path.relpath(CSRC, Path.cwd())
CORE_SOURCES = ["ge_features.c", "ge_window.c", "ge_proto.c"]

CDEF = """
typedef int int32_t;
size_t ge_feature_count(int featureset);
int ge_features(int featureset, const float *win, size_t n, float *out);
int ge_features_batch(int featureset, const float *wins, size_t n_windows,
                      size_t n, float *out, int32_t *status);
typedef struct {
    float *buf; size_t len; size_t hop; size_t count; uint32_t windows;
} ge_window_t;
int ge_window_init(ge_window_t *w, float *buf, size_t len, size_t hop);
int ge_window_reset(ge_window_t *w);
int ge_window_push(ge_window_t *w, float x, float y, float z);
int ge_window_features(const ge_window_t *w, int featureset, float *out);
#define GE_WINDOW_LEN ...
#define GE_WINDOW_MIN ...
#define GE_WINDOW_MAX ...
#define GE_N_PAPER ...
#define GE_N_WISDM ...
#define GE_N_EXTENDED ...
#define GE_SAMPLE_RATE_HZ ...
uint32_t ge_crc32(const uint8_t *p, size_t n);
int ge_cobs_encode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);
int ge_cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);
int ge_frame_pack(uint8_t type, uint16_t seq, const uint8_t *payload, size_t n,
                  uint8_t *scratch, size_t scratch_cap, uint8_t *out, size_t cap, size_t *out_len);
typedef struct { uint8_t type; uint16_t seq; const uint8_t *payload; size_t len; } ge_frame_t;
int ge_frame_unpack(const uint8_t *enc, size_t n, uint8_t *scratch, size_t cap, ge_frame_t *f);
typedef struct { uint8_t *buf; size_t cap; size_t len; int overflow; int ready; } ge_rx_t;
int ge_rx_init(ge_rx_t *rx, uint8_t *buf, size_t cap);
int ge_rx_push(ge_rx_t *rx, uint8_t byte);
"""

# -O3 lets GCC vectorise the 4-lane sums without reordering any float operation (no
# -ffast-math, no contraction), so the values stay those of the -O2 firmware: parity tests check it.
CFLAGS = ["-std=c99", "-O3", "-ffp-contract=off", "-fno-math-errno"]
LDFLAGS = []
if os.environ.get("GAITEDGE_SANITIZE"):
    CFLAGS += ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=all"]
    LDFLAGS += ["-fsanitize=address,undefined"]

ffibuilder = FFI()
ffibuilder.cdef(CDEF.replace("typedef int int32_t;\n", ""))
ffibuilder.set_source(
    "gaitedge._core",
    '#include "gaitedge.h"\n#include "ge_proto.h"',
    sources=[os.path.join(_REL, s) for s in CORE_SOURCES],
    include_dirs=[_REL],
    extra_compile_args=CFLAGS,
    extra_link_args=LDFLAGS,
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
