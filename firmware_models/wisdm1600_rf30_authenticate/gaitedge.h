/**
 * @file gaitedge.h
 * @brief gaitedge feature core: smartwatch gait features in portable C99.
 *
 * One header, three builds: the Python package (cffi), the host "device"
 * program and the Cortex-M4F firmware compile exactly these sources.
 *
 * Rules of the core: C99, float32, no malloc, no stdio, no global or static
 * mutable state, caller-owned memory, every function returns a ge_status_t
 * (0 = ok, negative = error) and writes results through pointers.
 * The feature definitions (the contract shared by this C code, the numpy
 * reference in gaitedge/reference.py and the firmware) live in ONE place:
 * docs/FEATURES.md.
 *
 * Usage (streaming, as on the watch):
 *
 *     static float buf[GE_BUF_LEN(GE_WINDOW_LEN)];
 *     ge_window_t win;
 *     ge_window_init(&win, buf, GE_WINDOW_LEN, GE_WINDOW_LEN);
 *     // per IMU sample:
 *     if (ge_window_push(&win, ax, ay, az) == GE_WINDOW_READY) {
 *         float f[GE_MAX_FEATURES];
 *         ge_window_features(&win, GE_FS_PAPER, f);
 *     }
 *
 * Build every consumer with -ffp-contract=off: fused multiply-add changes
 * float32 rounding and would break bit-identity between host and device.
 */
#ifndef GAITEDGE_H
#define GAITEDGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Samples per window (10 s at 20 Hz). */
#ifndef GE_WINDOW_LEN
#define GE_WINDOW_LEN 200
#endif
/** Largest window any feature function accepts. */
#ifndef GE_WINDOW_MAX
#define GE_WINDOW_MAX 1024
#endif
/** Smallest window any feature function accepts. */
#ifndef GE_WINDOW_MIN
#define GE_WINDOW_MIN 8
#endif
/** Sample rate in Hz; the paper set reports time between peaks in ms. */
#ifndef GE_SAMPLE_RATE_HZ
#define GE_SAMPLE_RATE_HZ 20
#endif
/** Largest accepted |sample|; larger finite values give GE_ERR_RANGE. */
#ifndef GE_MAX_ABS
#define GE_MAX_ABS 1.0e6f
#endif
/** Autocorrelation lags searched for the gait period (extended set), in samples. */
#ifndef GE_AC_MIN_LAG
#define GE_AC_MIN_LAG 5
#endif
#ifndef GE_AC_MAX_LAG
#define GE_AC_MAX_LAG 50
#endif
/** Variance below which skewness and kurtosis are reported as 0 (extended set). */
#ifndef GE_MIN_VAR
#define GE_MIN_VAR 1.0e-12f
#endif
/** Quantiles per channel in the extended set (5, 10, 25, 50, 75, 90, 95 %); fixed. */
#define GE_N_QUANTILES 7
/** Spectral bands per channel in the extended set; fixed. */
#define GE_N_BANDS 20
/** DFT bins computed per pass over a window (spectral bands); any value gives the same result. */
#ifndef GE_DFT_BLOCK
#define GE_DFT_BLOCK 4
#endif
/** Sensor axes. */
#define GE_AXES 3
/** Floats a windower buffer needs for windows of n samples. */
#define GE_BUF_LEN(n) ((size_t)(n) * GE_AXES)

/** Features in each set (see docs/FEATURES.md). */
#define GE_N_PAPER 43
#define GE_N_WISDM 52
#define GE_N_EXTENDED 211
#define GE_MAX_FEATURES GE_N_EXTENDED

/** Status codes: 0 is success, errors are negative. */
typedef enum {
    GE_OK = 0,
    GE_WINDOW_READY = 1,     /**< ge_window_push: a window just completed */
    GE_ERR_NULL = -1,        /**< a required pointer is NULL */
    GE_ERR_LENGTH = -2,      /**< window length outside [GE_WINDOW_MIN, GE_WINDOW_MAX] */
    GE_ERR_NONFINITE = -3,   /**< a sample is NaN or +-Inf */
    GE_ERR_RANGE = -4,       /**< a sample's magnitude exceeds GE_MAX_ABS */
    GE_ERR_FEATURESET = -5,  /**< unknown feature set */
    GE_ERR_NOT_READY = -6,   /**< windower has no complete window */
    GE_ERR_ARG = -7          /**< other invalid argument (e.g. hop) */
} ge_status_t;

/** Feature sets. */
typedef enum {
    GE_FS_PAPER = 0,    /**< Johnston & Weiss: 43 features per sensor */
    GE_FS_WISDM = 1,    /**< the WISDM lab's ARFF columns (no MFCC): 52 */
    GE_FS_EXTENDED = 2  /**< paper + shape, gait period, jerk, magnitude, correlation, autocorrelation shape, quantiles, spectral bands: 211 */
} ge_featureset_t;

/** Number of features of a set, 0 for an unknown set. */
size_t ge_feature_count(int featureset);

/** Features of one planar window: x[0..n) y[n..2n) z[2n..3n) -> out[ge_feature_count]. */
ge_status_t ge_features(int featureset, const float *win, size_t n, float *out);

/** Features of many planar windows (each 3*n floats): row i of out gets window i; status[i] its code (failed rows are NaN). Returns GE_OK or the first error. */
ge_status_t ge_features_batch(int featureset, const float *wins, size_t n_windows,
                              size_t n, float *out, int32_t *status);

/** Streaming windower over a caller-owned planar buffer of GE_BUF_LEN(len) floats. */
typedef struct {
    float *buf;    /**< caller memory, planar x|y|z, GE_BUF_LEN(len) floats */
    size_t len;    /**< window length in samples */
    size_t hop;    /**< samples between window starts (len = no overlap) */
    size_t count;  /**< samples currently buffered */
    uint32_t windows; /**< windows completed since init/reset */
} ge_window_t;

/** Initialise a windower: len samples per window, a new window every hop samples (1 <= hop <= len). */
ge_status_t ge_window_init(ge_window_t *w, float *buf, size_t len, size_t hop);

/** Drop buffered samples (e.g. after a gap in the sensor stream). */
ge_status_t ge_window_reset(ge_window_t *w);

/** Push one sample; returns GE_WINDOW_READY when a window is complete, GE_OK otherwise. */
ge_status_t ge_window_push(ge_window_t *w, float x, float y, float z);

/** Features of the window that just completed (after GE_WINDOW_READY). */
ge_status_t ge_window_features(const ge_window_t *w, int featureset, float *out);

#ifdef __cplusplus
}
#endif
#endif /* GAITEDGE_H */
