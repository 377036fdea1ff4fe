/* gaitedge streaming windower: samples in, planar windows out, caller memory. */
#include "gaitedge.h"

ge_status_t ge_window_init(ge_window_t *w, float *buf, size_t len, size_t hop)
{
    if (w == NULL || buf == NULL) return GE_ERR_NULL;
    if (len < GE_WINDOW_MIN || len > GE_WINDOW_MAX) return GE_ERR_LENGTH;
    if (hop < 1 || hop > len) return GE_ERR_ARG;
    w->buf = buf;
    w->len = len;
    w->hop = hop;
    w->count = 0;
    w->windows = 0;
    return GE_OK;
}

ge_status_t ge_window_reset(ge_window_t *w)
{
    if (w == NULL) return GE_ERR_NULL;
    w->count = 0;
    return GE_OK;
}

ge_status_t ge_window_push(ge_window_t *w, float x, float y, float z)
{
    size_t a, i, keep;
    if (w == NULL || w->buf == NULL) return GE_ERR_NULL;
    if (w->count == w->len) {
        /* the previous window was delivered: slide it by hop (no-op copy when hop == len) */
        keep = w->len - w->hop;
        for (a = 0; a < GE_AXES; a++) {
            float *p = w->buf + a * w->len;
            for (i = 0; i < keep; i++) p[i] = p[i + w->hop];
        }
        w->count = keep;
    }
    w->buf[w->count] = x;
    w->buf[w->len + w->count] = y;
    w->buf[2 * w->len + w->count] = z;
    w->count++;
    if (w->count == w->len) {
        w->windows++;
        return GE_WINDOW_READY;
    }
    return GE_OK;
}

ge_status_t ge_window_features(const ge_window_t *w, int featureset, float *out)
{
    if (w == NULL || w->buf == NULL || out == NULL) return GE_ERR_NULL;
    if (w->count != w->len) return GE_ERR_NOT_READY;
    return ge_features(featureset, w->buf, w->len, out);
}
