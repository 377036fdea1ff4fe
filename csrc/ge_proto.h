/**
 * @file ge_proto.h
 * @brief gaitedge serial protocol: COBS-framed, CRC-32-checked binary frames.
 *
 * The contract lives in docs/PROTOCOL.md; gaitedge/protocol.py is the Python
 * twin. Same rules as the feature core: C99, no malloc, no stdio, no mutable
 * globals, caller-owned buffers, negative status codes on error.
 */
#ifndef GE_PROTO_H
#define GE_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "gaitedge.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Protocol version carried in every frame. */
#define GE_PROTO_VERSION 1
/** Largest decoded frame (header + payload + CRC) a receiver accepts. */
#ifndef GE_PROTO_MAX_FRAME
#define GE_PROTO_MAX_FRAME 3072
#endif
/** Bytes of a frame around its payload: version, type, seq (2), CRC (4). */
#define GE_PROTO_OVERHEAD 8
/** Worst-case encoded size of a decoded frame of n bytes (COBS + delimiter). */
#define GE_COBS_MAX(n) ((n) + (n) / 254 + 2)

/** Message types (requests from the host; replies have bit 7 set). */
enum {
    GE_MSG_HELLO = 0x01,
    GE_MSG_SAMPLES = 0x02,
    GE_MSG_WINDOW = 0x03,
    GE_MSG_RESET = 0x04,
    GE_MSG_HELLO_R = 0x81,
    GE_MSG_ACK = 0x82,
    GE_MSG_RESULT = 0x83,
    GE_MSG_ERROR = 0xEE
};

/** Protocol status codes (continue ge_status_t's negatives). */
enum {
    GE_ERR_CRC = -8,      /**< CRC mismatch */
    GE_ERR_FRAME = -9,    /**< bad COBS, too short, or length mismatch */
    GE_ERR_VERSION = -10, /**< unknown protocol version */
    GE_ERR_OVERFLOW = -11,/**< frame larger than the receiver's buffer */
    GE_ERR_MSG = -12      /**< unknown message type or bad payload */
};

/** A decoded frame; payload points into the caller's decode buffer. */
typedef struct {
    uint8_t type;
    uint16_t seq;
    const uint8_t *payload;
    size_t len;
} ge_frame_t;

/** Byte-stream receiver: collects one encoded frame up to the 0x00 delimiter. */
typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int overflow;
    int ready;
} ge_rx_t;

/** CRC-32 (IEEE 802.3, reflected, as zlib.crc32) of n bytes. */
uint32_t ge_crc32(const uint8_t *p, size_t n);

/** COBS-encode n bytes into out (no delimiter); *out_len gets the size. */
int ge_cobs_encode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);

/** COBS-decode n bytes (no delimiter) into out; *out_len gets the size. */
int ge_cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);

/** Build a wire frame (COBS + trailing 0x00) from type, seq and payload. */
int ge_frame_pack(uint8_t type, uint16_t seq, const uint8_t *payload, size_t n,
                  uint8_t *scratch, size_t scratch_cap, uint8_t *out, size_t cap, size_t *out_len);

/** Decode and check one encoded frame (without its delimiter) into f, using scratch. */
int ge_frame_unpack(const uint8_t *enc, size_t n, uint8_t *scratch, size_t cap, ge_frame_t *f);

/** Initialise a receiver over a caller buffer. */
int ge_rx_init(ge_rx_t *rx, uint8_t *buf, size_t cap);

/** Feed one byte: 1 = a frame is in rx->buf[0..len), 0 = need more, GE_ERR_OVERFLOW = a frame was dropped. */
int ge_rx_push(ge_rx_t *rx, uint8_t byte);

#ifdef __cplusplus
}
#endif
#endif /* GE_PROTO_H */
