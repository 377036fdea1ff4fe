/* gaitedge firmware application: frames in -> features / prediction -> frames out.
 * Target-independent: all I/O goes through hal.h. Protocol: docs/PROTOCOL.md. */
#include <string.h>

#include "gaitedge.h"
#include "gaitedge_model.h"
#include "ge_proto.h"
#include "hal.h"

#define FW_VERSION "gaitedge-fw 0.1.0"
/* The largest reply is RESULT: 24 bytes of header fields, then the features and the scores. */
#define RESULT_PAYLOAD (24 + 4 * (GE_MODEL_N_FEATURES + GE_MODEL_N_CLASSES))
#define TX_PAYLOAD (RESULT_PAYLOAD > 256 ? RESULT_PAYLOAD : 256)
/* C99 compile-time check: a reply must fit one protocol frame. */
typedef char ge_reply_fits_a_frame[(TX_PAYLOAD + GE_PROTO_OVERHEAD <= GE_PROTO_MAX_FRAME) ? 1 : -1];
#define RX_CAP GE_COBS_MAX(GE_PROTO_MAX_FRAME)

typedef struct {
    ge_window_t win;
    ge_rx_t rx;
    uint32_t windows;                              /* windows completed since boot/reset */
    float stream[GE_BUF_LEN(GE_WINDOW_LEN)];       /* streaming windower buffer */
    float window[GE_BUF_LEN(GE_WINDOW_LEN)];       /* a WINDOW request's samples */
    float features[GE_MODEL_N_FEATURES];
    float scores[GE_MODEL_N_CLASSES];
    uint8_t rxbuf[RX_CAP];
    uint8_t frame[GE_PROTO_MAX_FRAME];
    uint8_t payload[TX_PAYLOAD];
    uint8_t scratch[TX_PAYLOAD + GE_PROTO_OVERHEAD];
    uint8_t tx[GE_COBS_MAX(TX_PAYLOAD + GE_PROTO_OVERHEAD)];
} app_t;

static size_t put_u16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); return 2; }
static size_t put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
    return 4;
}
static size_t put_f32(uint8_t *p, float f) { uint32_t v; memcpy(&v, &f, 4); return put_u32(p, v); }
static uint16_t get_u16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static float get_f32(const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
    float f;
    memcpy(&f, &v, 4);
    return f;
}

static void send(app_t *a, uint8_t type, uint16_t seq, size_t n)
{
    size_t len;
    if (ge_frame_pack(type, seq, a->payload, n, a->scratch, sizeof a->scratch, a->tx, sizeof a->tx, &len) == GE_OK)
        hal_write(a->tx, len);
}

static void send_error(app_t *a, uint16_t seq, int code, uint8_t req)
{
    a->payload[0] = (uint8_t)(int8_t)code;
    a->payload[1] = req;
    send(a, GE_MSG_ERROR, seq, 2);
}

/* Features of a planar window + the model's answer, as one RESULT frame. */
static void result(app_t *a, uint16_t seq, const float *win, size_t n)
{
    uint8_t *p = a->payload;
    size_t k, i;
    int cls = -1, dec = -1, st;
    float auth = 0.0f;
    uint32_t t0, t1, t2;
    t0 = hal_cycles();
    st = ge_features(GE_MODEL_FEATURESET, win, n, a->features);
    t1 = hal_cycles();
    if (st == GE_OK) {
        cls = ge_model_predict(a->features, a->scores);
        dec = ge_model_authenticate(a->features, &auth);
    }
    t2 = hal_cycles();
    k = 0;
    p[k++] = (uint8_t)(int8_t)st;
    k += put_u32(p + k, a->windows++);
    k += put_u16(p + k, (uint16_t)(int16_t)cls);
    p[k++] = (uint8_t)(int8_t)dec;
    k += put_f32(p + k, auth);
    k += put_u32(p + k, t0 - t1); /* SysTick counts down */
    k += put_u32(p + k, t1 - t2);
    k += put_u16(p + k, st == GE_OK ? GE_MODEL_N_FEATURES : 0);
    for (i = 0; st == GE_OK && i < GE_MODEL_N_FEATURES; i++) k += put_f32(p + k, a->features[i]);
    k += put_u16(p + k, st == GE_OK ? GE_MODEL_N_CLASSES : 0);
    for (i = 0; st == GE_OK && i < GE_MODEL_N_CLASSES; i++) k += put_f32(p + k, a->scores[i]);
    send(a, GE_MSG_RESULT, seq, k);
}

static void hello(app_t *a, uint16_t seq)
{
    uint8_t *p = a->payload;
    size_t k = 0;
    memset(p, 0, 128);
    p[k++] = GE_PROTO_VERSION;
    memcpy(p + k, FW_VERSION, sizeof FW_VERSION - 1);
    k += 24;
    memcpy(p + k, GE_MODEL_HASH, 64);
    k += 64;
    memcpy(p + k, GE_MODEL_KIND, sizeof GE_MODEL_KIND - 1);
    k += 4;
    p[k++] = GE_MODEL_IS_AUTH;
    p[k++] = (uint8_t)GE_MODEL_FEATURESET;
    k += put_u16(p + k, GE_MODEL_N_FEATURES);
    k += put_u16(p + k, GE_MODEL_N_CLASSES);
    k += put_u16(p + k, GE_SAMPLE_RATE_HZ);
    k += put_u16(p + k, GE_WINDOW_LEN);
    p[k++] = GE_MODEL_N_SENSORS;
    send(a, GE_MSG_HELLO_R, seq, k);
}

static void handle(app_t *a, const uint8_t *enc, size_t n)
{
    ge_frame_t f;
    size_t i, cnt;
    uint16_t done = 0;
    int st = ge_frame_unpack(enc, n, a->frame, sizeof a->frame, &f);
    if (st != GE_OK) {
        send_error(a, 0, st, 0);
        return;
    }
    switch (f.type) {
    case GE_MSG_HELLO:
        hello(a, f.seq);
        break;
    case GE_MSG_RESET:
        ge_window_reset(&a->win);
        a->windows = 0;
        a->payload[0] = 0;
        send(a, GE_MSG_ACK, f.seq, 1);
        break;
    case GE_MSG_WINDOW:
        cnt = f.len >= 2 ? get_u16(f.payload) : 0;
        if (f.len != 2 + 12 * cnt || cnt > GE_WINDOW_LEN || cnt < GE_WINDOW_MIN) {
            send_error(a, f.seq, GE_ERR_MSG, f.type);
            break;
        }
        for (i = 0; i < 3 * cnt; i++) a->window[i] = get_f32(f.payload + 2 + 4 * i);
        result(a, f.seq, a->window, cnt);
        break;
    case GE_MSG_SAMPLES:
        cnt = f.len >= 2 ? get_u16(f.payload) : 0;
        if (f.len != 2 + 12 * cnt) {
            send_error(a, f.seq, GE_ERR_MSG, f.type);
            break;
        }
        for (i = 0; i < cnt; i++) {
            const uint8_t *s = f.payload + 2 + 12 * i;
            if (ge_window_push(&a->win, get_f32(s), get_f32(s + 4), get_f32(s + 8)) == GE_WINDOW_READY) {
                result(a, f.seq, a->stream, GE_WINDOW_LEN);
                done++;
            }
        }
        i = 0;
        a->payload[i++] = 0;
        i += put_u16(a->payload + i, (uint16_t)cnt);
        i += put_u16(a->payload + i, done);
        i += put_u16(a->payload + i, (uint16_t)a->win.count);
        send(a, GE_MSG_ACK, f.seq, i);
        break;
    default:
        send_error(a, f.seq, GE_ERR_MSG, f.type);
    }
}

/* One received byte through the receiver and, at a frame's end, the handler. */
static void app_byte(app_t *a, uint8_t c)
{
    int r = ge_rx_push(&a->rx, c);
    if (r == 1) handle(a, a->rx.buf, a->rx.len);
    else if (r == GE_ERR_OVERFLOW) send_error(a, 0, GE_ERR_OVERFLOW, 0);
}

static void app_init(app_t *a)
{
    ge_window_init(&a->win, a->stream, GE_WINDOW_LEN, GE_WINDOW_LEN);
    ge_rx_init(&a->rx, a->rxbuf, sizeof a->rxbuf);
    a->windows = 0;
}

#ifdef GE_APP_FUZZ
/* libFuzzer entry (fuzz/): arbitrary bytes as a serial stream into a fresh device. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static app_t a;
    size_t i;
    app_init(&a);
    for (i = 0; i < size; i++) app_byte(&a, data[i]);
    return 0;
}
#else
int main(void)
{
    static app_t a; /* the application's state: firmware-level, the core itself has none */
    int c;
    if (hal_init() != 0) hal_exit(1);
    app_init(&a);
    for (;;) {
        c = hal_getc();
        if (c < 0) break;
        app_byte(&a, (uint8_t)c);
    }
    hal_exit(0);
    return 0;
}
#endif
