/* libFuzzer target: arbitrary bytes as feature-core input (any float bit pattern: NaN, Inf,
 * denormals, huge values), all three sets, the batch call and the streaming windower. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gaitedge.h"

#define MAXN 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    float win[3 * MAXN], out[2 * GE_MAX_FEATURES], buf[3 * MAXN];
    int32_t status[2];
    size_t n, nf, i;
    int fs;
    ge_window_t w;
    if (size < 2) return 0;
    fs = data[0] % 4;           /* 3 is an invalid set on purpose */
    n = 1 + data[1] % MAXN;     /* includes too-short windows */
    memset(win, 0, sizeof win);
    memcpy(win, data + 2, (size - 2) < sizeof win ? size - 2 : sizeof win);
    nf = ge_feature_count(fs);
    if (ge_features(fs, win, n, out) == GE_OK) {
        for (i = 0; i < nf; i++)
            if (!isfinite(out[i])) abort();   /* GE_OK promises finite features */
    }
    if (n * 2 * 3 <= 3 * MAXN) {
        if (ge_features_batch(fs, win, 2, n, out, status) == GE_OK && nf)
            for (i = 0; i < 2 * nf; i++)
                if (!isfinite(out[i])) abort();
    }
    if (ge_window_init(&w, buf, n, 1 + data[1] % n) == GE_OK) {
        for (i = 0; i < n + 3; i++)
            if (ge_window_push(&w, win[(3 * i) % (3 * MAXN)], win[(3 * i + 1) % (3 * MAXN)],
                               win[(3 * i + 2) % (3 * MAXN)]) == GE_WINDOW_READY)
                (void)ge_window_features(&w, fs, out);
    }
    return 0;
}
