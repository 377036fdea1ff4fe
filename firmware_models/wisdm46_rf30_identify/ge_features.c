/* gaitedge feature core. Definitions: docs/FEATURES.md (the one contract). */
#include "gaitedge.h"
#include <math.h>
#include <string.h>

/* Sums use GE_LANES interleaved accumulators combined as ((a0+a1)+(a2+a3)):
 * more accurate than one running sum and friendly to SIMD; the order is part
 * of the contract so host and device round identically. */
#define GE_LANES 4

typedef struct {
    float mean, min, max, ss, absdev;
} ge_axis_t;

/* Mean, extremes, sum of squared deviations and mean absolute deviation: two passes, each
 * over 4 independent lanes (the order docs/FEATURES.md fixes), which compilers turn into SIMD. */
static void ge_axis_stats(const float *x, size_t n, ge_axis_t *s)
{
    float lo[GE_LANES], hi[GE_LANES];
    float a[GE_LANES] = {0.0f, 0.0f, 0.0f, 0.0f};
    float q[GE_LANES] = {0.0f, 0.0f, 0.0f, 0.0f};
    float d[GE_LANES] = {0.0f, 0.0f, 0.0f, 0.0f};
    size_t i, k, n4 = n - n % GE_LANES;
    float m, mn, mx;
    for (k = 0; k < GE_LANES; k++) lo[k] = hi[k] = x[0];
    for (i = 0; i < n4; i += GE_LANES) {
        for (k = 0; k < GE_LANES; k++) {
            float v = x[i + k];
            lo[k] = v < lo[k] ? v : lo[k];
            hi[k] = v > hi[k] ? v : hi[k];
            a[k] += v;
        }
    }
    for (; i < n; i++) {
        lo[0] = x[i] < lo[0] ? x[i] : lo[0];
        hi[0] = x[i] > hi[0] ? x[i] : hi[0];
        a[0] += x[i];
    }
    mn = lo[0];
    mx = hi[0];
    for (k = 1; k < GE_LANES; k++) {
        mn = lo[k] < mn ? lo[k] : mn;
        mx = hi[k] > mx ? hi[k] : mx;
    }
    /* a constant axis has its value as mean, exactly (float32 rounding of the sum
     * would otherwise leave a tiny spread, amplified by sqrt in XVAR) */
    m = (mn == mx) ? mn : ((a[0] + a[1]) + (a[2] + a[3])) / (float)n;
    for (i = 0; i < n4; i += GE_LANES) {
        for (k = 0; k < GE_LANES; k++) {
            float e = x[i + k] - m;
            q[k] += e * e;
            d[k] += fabsf(e);
        }
    }
    for (; i < n; i++) {
        float e = x[i] - m;
        q[0] += e * e;
        d[0] += fabsf(e);
    }
    s->mean = m;
    s->min = mn;
    s->max = mx;
    s->ss = (q[0] + q[1]) + (q[2] + q[3]);
    s->absdev = ((d[0] + d[1]) + (d[2] + d[3])) / (float)n;
}

static ge_status_t ge_check(const float *win, size_t n)
{
    /* One branch-free pass over the bit patterns: |x| as an unsigned integer orders like |x|,
     * and NaN/Inf have the largest exponent, so one integer maximum answers both questions. */
    const float lim = GE_MAX_ABS;
    uint32_t m = 0, lim_bits, u;
    size_t i;
    if (win == NULL) return GE_ERR_NULL;
    if (n < GE_WINDOW_MIN || n > GE_WINDOW_MAX) return GE_ERR_LENGTH;
    for (i = 0; i < GE_AXES * n; i++) {
        memcpy(&u, &win[i], sizeof u);
        u &= 0x7FFFFFFFu;
        m = u > m ? u : m;
    }
    memcpy(&lim_bits, &lim, sizeof lim_bits);
    if (m >= 0x7F800000u) return GE_ERR_NONFINITE;
    if (m > lim_bits) return GE_ERR_RANGE;
    return GE_OK;
}

/* Paper binned distribution: 10 equal bins over [min, max]. */
static void ge_bins_range(const float *x, size_t n, float mn, float mx, float *out)
{
    unsigned cnt[10] = {0};
    float span = mx - mn;
    size_t i;
    if (span > 0.0f) {
        for (i = 0; i < n; i++) {
            float t = ((x[i] - mn) * 10.0f) / span;
            int b = (int)t; /* t >= 0: truncation == floor */
            cnt[b > 9 ? 9 : b]++;
        }
    } else {
        cnt[0] = (unsigned)n;
    }
    for (i = 0; i < 10; i++) out[i] = (float)cnt[i] / (float)n;
}

/* WISDM binned distribution: fixed bins 2.5 wide. */
static void ge_bins_fixed(const float *x, size_t n, float *out)
{
    unsigned cnt[10] = {0};
    size_t i;
    for (i = 0; i < n; i++) {
        float v = x[i] / 2.5f;
        int b;
        if (v < -1.0f) b = 0;
        else if (v > 7.0f) b = 9;
        else b = (int)floorf(v) + 2;
        cnt[b]++;
    }
    for (i = 0; i < 10; i++) out[i] = (float)cnt[i] / (float)n;
}

/* Paper time between peaks, in ms (see docs/FEATURES.md, "paper"). */
static float ge_time_between_peaks(const float *x, size_t n, float mn)
{
    static const float frac[10] = {0.9f, 0.8f, 0.7f, 0.6f, 0.5f,
                                   0.4f, 0.3f, 0.2f, 0.1f, 0.0f};
    float thr[10];
    unsigned cnt[10] = {0};
    size_t first[10], last[10];
    float top = 0.0f;
    unsigned npk = 0, total = 0;
    size_t i, k, lo = (size_t)-1, hi = 0;
    for (i = 1; i + 1 < n; i++) {
        if (x[i] > x[i - 1] && x[i] >= x[i + 1]) {
            top = (npk == 0 || x[i] > top) ? x[i] : top;
            npk++;
        }
    }
    if (npk < 3) return (float)n * (1000.0f / (float)GE_SAMPLE_RATE_HZ);
    for (k = 0; k < 10; k++) {
        thr[k] = mn + frac[k] * (top - mn);
        first[k] = (size_t)-1;
        last[k] = 0;
    }
    for (i = 1; i + 1 < n; i++) {
        if (x[i] > x[i - 1] && x[i] >= x[i + 1]) {
            for (k = 0; x[i] < thr[k]; k++) {
            } /* thr[9] == mn <= x[i] stops the scan */
            cnt[k]++;
            if (i < first[k]) first[k] = i;
            last[k] = i;
        }
    }
    for (k = 0; k < 10; k++) {
        total += cnt[k];
        if (cnt[k]) {
            lo = first[k] < lo ? first[k] : lo;
            hi = last[k] > hi ? last[k] : hi;
        }
        if (total >= 3) break;
    }
    return ((float)(hi - lo) / (float)(total - 1)) * (1000.0f / (float)GE_SAMPLE_RATE_HZ);
}

/* WISDM XPEAK: lab's peak rule, mean gap leaving out the last, times 10. */
static float ge_wisdm_peak(const float *x, size_t n)
{
    size_t i, p = 0, first = 0, prev = 0, cur = 0;
#define GE_PEAK_AT(j)                       \
    do {                                    \
        if (p == 0) first = (j);            \
        prev = cur;                         \
        cur = (j);                          \
        p++;                                \
    } while (0)
    if (x[0] > x[1]) GE_PEAK_AT(0);
    for (i = 1; i + 2 < n; i++)
        if (x[i] > x[i - 1] && x[i] > x[i + 1]) GE_PEAK_AT(i);
    if (x[n - 1] > x[n - 2]) GE_PEAK_AT(n - 1);
#undef GE_PEAK_AT
    if (p < 3) return 0.0f;
    return ((float)(prev - first) / (float)(p - 2)) * 10.0f;
}

/* Cosine similarity (centered = Pearson correlation); 0 when undefined. */
static float ge_cos(const float *x, const float *y, size_t n, float mx, float my)
{
    float sxy = 0.0f, sxx = 0.0f, syy = 0.0f, den;
    size_t i;
    for (i = 0; i < n; i++) {
        float a = x[i] - mx, b = y[i] - my;
        sxy += a * b;
        sxx += a * a;
        syy += b * b;
    }
    den = sqrtf(sxx) * sqrtf(syy);
    return den > 0.0f ? sxy / den : 0.0f;
}

static float ge_resultant(const float *win, size_t n)
{
    const float *x = win, *y = win + n, *z = win + 2 * n;
    float a[GE_LANES] = {0.0f, 0.0f, 0.0f, 0.0f};
    size_t i = 0, k;
    for (; i + GE_LANES <= n; i += GE_LANES)
        for (k = 0; k < GE_LANES; k++)
            a[k] += sqrtf(x[i + k] * x[i + k] + y[i + k] * y[i + k] + z[i + k] * z[i + k]);
    for (; i < n; i++) a[0] += sqrtf(x[i] * x[i] + y[i] * y[i] + z[i] * z[i]);
    return ((a[0] + a[1]) + (a[2] + a[3])) / (float)n;
}

static void ge_paper(const float *win, size_t n, const ge_axis_t *s, float *out)
{
    size_t a;
    for (a = 0; a < GE_AXES; a++) {
        const float *x = win + a * n;
        ge_bins_range(x, n, s[a].min, s[a].max, out + 10 * a);
        out[30 + a] = s[a].mean;
        out[33 + a] = ge_time_between_peaks(x, n, s[a].min);
        out[36 + a] = s[a].absdev;
        out[39 + a] = sqrtf(s[a].ss / (float)n);
    }
    out[42] = ge_resultant(win, n);
}

static void ge_wisdm(const float *win, size_t n, const ge_axis_t *s, float *out)
{
    size_t a;
    for (a = 0; a < GE_AXES; a++) {
        const float *x = win + a * n;
        float sd = sqrtf(s[a].ss) / (float)n;
        ge_bins_fixed(x, n, out + 10 * a);
        out[30 + a] = s[a].mean;
        out[33 + a] = ge_wisdm_peak(x, n);
        out[36 + a] = s[a].absdev;
        out[39 + a] = sd;
        out[42 + a] = sqrtf(sd);
    }
    out[45] = ge_cos(win, win + n, n, 0.0f, 0.0f);
    out[46] = ge_cos(win, win + 2 * n, n, 0.0f, 0.0f);
    out[47] = ge_cos(win + n, win + 2 * n, n, 0.0f, 0.0f);
    out[48] = ge_cos(win, win + n, n, s[0].mean, s[1].mean);
    out[49] = ge_cos(win, win + 2 * n, n, s[0].mean, s[2].mean);
    out[50] = ge_cos(win + n, win + 2 * n, n, s[1].mean, s[2].mean);
    out[51] = ge_resultant(win, n);
}

/* Normalised autocorrelation peak of one axis over lags [GE_AC_MIN_LAG, GE_AC_MAX_LAG]. */
static void ge_autocorr(const float *x, size_t n, const ge_axis_t *s, float *lag_s, float *val)
{
    size_t lag, i, hi = n / 2 < GE_AC_MAX_LAG ? n / 2 : GE_AC_MAX_LAG, best = 0;
    float bestv = 0.0f;
    *lag_s = 0.0f;
    *val = 0.0f;
    if (!(s->ss > 0.0f)) return;
    for (lag = GE_AC_MIN_LAG; lag <= hi; lag++) {
        float acc = 0.0f, r;
        for (i = 0; i + lag < n; i++) acc += (x[i] - s->mean) * (x[i + lag] - s->mean);
        r = acc / s->ss;
        if (best == 0 || r > bestv) {
            best = lag;
            bestv = r;
        }
    }
    *lag_s = (float)best / (float)GE_SAMPLE_RATE_HZ;
    *val = bestv;
}

/* Autocorrelation shape: r(L) at the fixed lags of docs/FEATURES.md (0 if ss == 0). */
static void ge_acf_lags(const float *x, size_t n, const ge_axis_t *s, float *out)
{
    static const unsigned char lags[10] = {1, 2, 3, 4, 6, 8, 10, 12, 15, 20};
    size_t k, i;
    for (k = 0; k < 10; k++) {
        float acc = 0.0f;
        size_t lag = lags[k];
        if (!(s->ss > 0.0f)) {
            out[k] = 0.0f;
            continue;
        }
        for (i = 0; i + lag < n; i++) acc += (x[i] - s->mean) * (x[i + lag] - s->mean);
        out[k] = acc / s->ss;
    }
}

/* Channel c of a window: 0-2 the axes, 3 the magnitude sqrtf(x*x + y*y + z*z) (squared when sq). */
static float ge_chan(const float *win, size_t n, size_t c, size_t i, int sq)
{
    float v;
    if (c < GE_AXES) return win[c * n + i];
    v = win[i] * win[i] + win[n + i] * win[n + i] + win[2 * n + i] * win[2 * n + i];
    return sq ? v : sqrtf(v);
}

/* Order statistics at GE_QUANTILES percent: the sample of 0-based rank (q * (n - 1)) / 100 in
 * sorted order, found by rank counting (O(n^2), no scratch memory). The magnitude channel is
 * ranked on its squares (sqrtf is monotone) and rooted once. */
static void ge_quantiles(const float *win, size_t n, size_t c, float *out)
{
    static const unsigned char pct[GE_N_QUANTILES] = {5, 10, 25, 50, 75, 90, 95};
    size_t i, j, k, r[GE_N_QUANTILES];
    for (k = 0; k < GE_N_QUANTILES; k++) r[k] = (pct[k] * (n - 1)) / 100;
    for (i = 0; i < n; i++) {
        float v = ge_chan(win, n, c, i, 1);
        size_t lt = 0, le = 0;
        for (j = 0; j < n; j++) {
            float w = ge_chan(win, n, c, j, 1);
            lt += w < v;
            le += w <= v;
        }
        for (k = 0; k < GE_N_QUANTILES; k++)
            if (lt <= r[k] && r[k] < le) out[k] = c < GE_AXES ? v : sqrtf(v);
    }
}

/* cos and sin of 2*pi*m/n, 0 <= m < n: quadrant by integer arithmetic, then float32 Taylor
 * polynomials (Horner, degree 12 / 11) on [0, pi/2). Same operations on every target. */
static void ge_sincos_2pi(size_t m, size_t n, float *c, float *s)
{
    size_t quad = (4 * m) / n, rem = 4 * m - quad * n;
    float p = ((float)rem / (float)n) * 1.57079632679489662f, p2 = p * p, cp, sp;
    cp = 1.0f + p2 * (-0.5f + p2 * (4.16666667e-2f + p2 * (-1.38888889e-3f + p2 * (2.48015873e-5f
         + p2 * (-2.75573192e-7f + p2 * 2.08767570e-9f)))));
    sp = p * (1.0f + p2 * (-1.66666667e-1f + p2 * (8.33333333e-3f + p2 * (-1.98412698e-4f
         + p2 * (2.75573192e-6f + p2 * -2.50521084e-8f)))));
    switch (quad) {
    case 0: *c = cp; *s = sp; break;
    case 1: *c = -sp; *s = cp; break;
    case 2: *c = -cp; *s = -sp; break;
    default: *c = sp; *s = -cp; break;
    }
}

/* Spectral shape of the four channels: |DFT| of the centred channel at bins k = 1..n/2, summed
 * into GE_N_BANDS equal bands (bin k in band ((k - 1) * GE_N_BANDS) / (n/2)), divided by the sum
 * over all those bins; 0 where that sum is 0 or the channel is constant (flat[c]: min == max).
 * means[c]: the channel means (axis mean, RESULTANT). */
static void ge_spectrum(const float *win, size_t n, const float *means, const int *flat, float *out)
{
    size_t half = n / 2, k0, i, c, b, j;
    float total[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (b = 0; b < 4 * GE_N_BANDS; b++) out[b] = 0.0f;
    /* GE_DFT_BLOCK bins per pass share each sample (and its magnitude's sqrtf); every bin still
     * sums its terms in sample order, so the result does not depend on the block size. */
    for (k0 = 1; k0 <= half; k0 += GE_DFT_BLOCK) {
        size_t kb = half - k0 + 1 < GE_DFT_BLOCK ? half - k0 + 1 : GE_DFT_BLOCK, m[GE_DFT_BLOCK];
        float re[GE_DFT_BLOCK][4], im[GE_DFT_BLOCK][4];
        for (j = 0; j < kb; j++) {
            m[j] = 0;
            for (c = 0; c < 4; c++) re[j][c] = im[j][c] = 0.0f;
        }
        for (i = 0; i < n; i++) {
            float e[4];
            for (c = 0; c < 4; c++) e[c] = ge_chan(win, n, c, i, 0) - means[c];
            for (j = 0; j < kb; j++) {
                float cs, sn;
                ge_sincos_2pi(m[j], n, &cs, &sn);
                for (c = 0; c < 4; c++) {
                    re[j][c] += e[c] * cs;
                    im[j][c] += e[c] * sn;
                }
                m[j] += k0 + j;
                if (m[j] >= n) m[j] -= n;
            }
        }
        for (j = 0; j < kb; j++) {
            b = ((k0 + j - 1) * GE_N_BANDS) / half;
            for (c = 0; c < 4; c++) {
                float mag = sqrtf(re[j][c] * re[j][c] + im[j][c] * im[j][c]);
                out[c * GE_N_BANDS + b] += mag;
                total[c] += mag;
            }
        }
    }
    for (c = 0; c < 4; c++)
        for (b = 0; b < GE_N_BANDS; b++)
            out[c * GE_N_BANDS + b] = (total[c] > 0.0f && !flat[c]) ? out[c * GE_N_BANDS + b] / total[c] : 0.0f;
}

/* Extended set: the 168 features after the paper's 43 (docs/FEATURES.md). */
static void ge_extended_tail(const float *win, size_t n, const ge_axis_t *s, float resultant, float *out)
{
    size_t a, i;
    float q = 0.0f, mmin = 0.0f, mmax = 0.0f;
    for (a = 0; a < GE_AXES; a++) {
        const float *x = win + a * n;
        float *o = out + 8 * a;
        float m2 = s[a].ss / (float)n, s3 = 0.0f, s4 = 0.0f, jerk = 0.0f;
        unsigned zc = 0;
        for (i = 0; i < n; i++) {
            float e = x[i] - s[a].mean, e2 = e * e;
            s3 += e2 * e;
            s4 += e2 * e2;
            if (i > 0) {
                jerk += fabsf(x[i] - x[i - 1]);
                zc += ((x[i - 1] - s[a].mean) < 0.0f) != (e < 0.0f);
            }
        }
        o[0] = s[a].min;
        o[1] = s[a].max;
        if (m2 > GE_MIN_VAR) {
            o[2] = (s3 / (float)n) / (m2 * sqrtf(m2));
            o[3] = (s4 / (float)n) / (m2 * m2);
        } else {
            o[2] = 0.0f;
            o[3] = 0.0f;
        }
        ge_autocorr(x, n, &s[a], &o[4], &o[5]);
        o[6] = jerk / (float)(n - 1);
        o[7] = (float)zc / (float)(n - 1);
    }
    for (i = 0; i < n; i++) {
        float x = win[i], y = win[n + i], z = win[2 * n + i];
        float m = sqrtf(x * x + y * y + z * z), e = m - resultant;
        q += e * e;
        mmin = (i == 0 || m < mmin) ? m : mmin;
        mmax = (i == 0 || m > mmax) ? m : mmax;
    }
    out[24] = sqrtf(q / (float)n);
    out[25] = mmin;
    out[26] = mmax;
    out[27] = ge_cos(win, win + n, n, s[0].mean, s[1].mean);
    out[28] = ge_cos(win, win + 2 * n, n, s[0].mean, s[2].mean);
    out[29] = ge_cos(win + n, win + 2 * n, n, s[1].mean, s[2].mean);
    for (a = 0; a < GE_AXES; a++) ge_acf_lags(win + a * n, n, &s[a], out + 30 + 10 * a);
    for (a = 0; a < 4; a++) ge_quantiles(win, n, a, out + 60 + GE_N_QUANTILES * a);
    {
        float means[4];
        int flat[4];
        for (a = 0; a < GE_AXES; a++) {
            means[a] = s[a].mean;
            flat[a] = s[a].min == s[a].max;
        }
        means[3] = resultant;
        flat[3] = mmin == mmax;
        ge_spectrum(win, n, means, flat, out + 60 + 4 * GE_N_QUANTILES);
    }
}

size_t ge_feature_count(int featureset)
{
    switch (featureset) {
    case GE_FS_PAPER: return GE_N_PAPER;
    case GE_FS_WISDM: return GE_N_WISDM;
    case GE_FS_EXTENDED: return GE_N_EXTENDED;
    default: return 0;
    }
}

ge_status_t ge_features(int featureset, const float *win, size_t n, float *out)
{
    ge_axis_t s[GE_AXES];
    ge_status_t st;
    size_t a;
    if (out == NULL) return GE_ERR_NULL;
    if (ge_feature_count(featureset) == 0) return GE_ERR_FEATURESET;
    st = ge_check(win, n);
    if (st != GE_OK) return st;
    for (a = 0; a < GE_AXES; a++) ge_axis_stats(win + a * n, n, &s[a]);
    switch (featureset) {
    case GE_FS_PAPER: ge_paper(win, n, s, out); break;
    case GE_FS_WISDM: ge_wisdm(win, n, s, out); break;
    default:
        ge_paper(win, n, s, out);
        ge_extended_tail(win, n, s, out[42], out + GE_N_PAPER);
        break;
    }
    return GE_OK;
}

ge_status_t ge_features_batch(int featureset, const float *wins, size_t n_windows,
                              size_t n, float *out, int32_t *status)
{
    size_t nf = ge_feature_count(featureset), i, j;
    ge_status_t first = GE_OK;
    if (wins == NULL || out == NULL || status == NULL) return GE_ERR_NULL;
    if (nf == 0) return GE_ERR_FEATURESET;
    for (i = 0; i < n_windows; i++) {
        ge_status_t st = ge_features(featureset, wins + i * GE_AXES * n, n, out + i * nf);
        status[i] = (int32_t)st;
        if (st != GE_OK) {
            for (j = 0; j < nf; j++) out[i * nf + j] = NAN;
            if (first == GE_OK) first = st;
        }
    }
    return first;
}
