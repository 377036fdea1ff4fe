/* gaitedge serial protocol: COBS framing + CRC-32. Contract: docs/PROTOCOL.md. */
#include "ge_proto.h"

uint32_t ge_crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    size_t i;
    int k;
    for (i = 0; i < n; i++) {
        c ^= p[i];
        for (k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

int ge_cobs_encode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t r, w = 1, code_at = 0;
    uint8_t code = 1;
    if ((in == NULL && n) || out == NULL || out_len == NULL) return GE_ERR_NULL;
    if (cap < 1) return GE_ERR_OVERFLOW;
    for (r = 0; r < n; r++) {
        if (w >= cap) return GE_ERR_OVERFLOW;
        if (in[r] == 0) {
            out[code_at] = code; /* close the block: the zero is implied */
            code_at = w++;
            code = 1;
        } else {
            out[w++] = in[r];
            if (++code == 0xFF) { /* a full block of 254 bytes, no implied zero */
                if (w >= cap) return GE_ERR_OVERFLOW;
                out[code_at] = code;
                code_at = w++;
                code = 1;
            }
        }
    }
    out[code_at] = code;
    *out_len = w;
    return GE_OK;
}

int ge_cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t r = 0, w = 0;
    if ((in == NULL && n) || out == NULL || out_len == NULL) return GE_ERR_NULL;
    while (r < n) {
        uint8_t code = in[r++];
        size_t k;
        if (code == 0) return GE_ERR_FRAME;
        for (k = 1; k < code; k++) {
            if (r >= n) return GE_ERR_FRAME;
            if (in[r] == 0) return GE_ERR_FRAME;
            if (w >= cap) return GE_ERR_OVERFLOW;
            out[w++] = in[r++];
        }
        if (code != 0xFF && r < n) {
            if (w >= cap) return GE_ERR_OVERFLOW;
            out[w++] = 0;
        }
    }
    *out_len = w;
    return GE_OK;
}

int ge_frame_pack(uint8_t type, uint16_t seq, const uint8_t *payload, size_t n,
                  uint8_t *scratch, size_t scratch_cap, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t i, len;
    uint32_t crc;
    int st;
    if (scratch == NULL || out == NULL || out_len == NULL || (payload == NULL && n)) return GE_ERR_NULL;
    if (n + GE_PROTO_OVERHEAD > scratch_cap) return GE_ERR_OVERFLOW;
    scratch[0] = GE_PROTO_VERSION;
    scratch[1] = type;
    scratch[2] = (uint8_t)(seq & 0xFF);
    scratch[3] = (uint8_t)(seq >> 8);
    for (i = 0; i < n; i++) scratch[4 + i] = payload[i];
    crc = ge_crc32(scratch, 4 + n);
    for (i = 0; i < 4; i++) scratch[4 + n + i] = (uint8_t)(crc >> (8 * i));
    st = ge_cobs_encode(scratch, n + GE_PROTO_OVERHEAD, out, cap ? cap - 1 : 0, &len);
    if (st != GE_OK) return st;
    out[len] = 0;
    *out_len = len + 1;
    return GE_OK;
}

int ge_frame_unpack(const uint8_t *enc, size_t n, uint8_t *scratch, size_t cap, ge_frame_t *f)
{
    size_t len, i;
    uint32_t crc = 0;
    int st;
    if (enc == NULL || scratch == NULL || f == NULL) return GE_ERR_NULL;
    st = ge_cobs_decode(enc, n, scratch, cap, &len);
    if (st != GE_OK) return st;
    if (len < GE_PROTO_OVERHEAD) return GE_ERR_FRAME;
    for (i = 0; i < 4; i++) crc |= (uint32_t)scratch[len - 4 + i] << (8 * i);
#ifndef GE_FUZZ_SKIP_CRC /* the device fuzzer skips it so mutations reach the handlers */
    if (crc != ge_crc32(scratch, len - 4)) return GE_ERR_CRC;
#else
    (void)crc;
#endif
    if (scratch[0] != GE_PROTO_VERSION) return GE_ERR_VERSION;
    f->type = scratch[1];
    f->seq = (uint16_t)(scratch[2] | (scratch[3] << 8));
    f->payload = scratch + 4;
    f->len = len - GE_PROTO_OVERHEAD;
    return GE_OK;
}

int ge_rx_init(ge_rx_t *rx, uint8_t *buf, size_t cap)
{
    if (rx == NULL || buf == NULL) return GE_ERR_NULL;
    rx->buf = buf;
    rx->cap = cap;
    rx->len = 0;
    rx->overflow = 0;
    rx->ready = 0;
    return GE_OK;
}

int ge_rx_push(ge_rx_t *rx, uint8_t byte)
{
    if (rx == NULL || rx->buf == NULL) return GE_ERR_NULL;
    if (rx->ready) { /* the previous frame was handed out: start a new one */
        rx->len = 0;
        rx->ready = 0;
    }
    if (byte == 0) {
        if (rx->overflow) {
            rx->overflow = 0;
            rx->len = 0;
            return GE_ERR_OVERFLOW;
        }
        if (rx->len == 0) return 0; /* empty frame (delimiter run): ignore */
        rx->ready = 1;
        return 1;
    }
    if (rx->overflow) return 0;
    if (rx->len >= rx->cap) {
        rx->overflow = 1; /* drop bytes until the next delimiter */
        return 0;
    }
    rx->buf[rx->len++] = byte;
    return 0;
}
