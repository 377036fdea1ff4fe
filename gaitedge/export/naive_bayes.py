"""Gaussian naive Bayes -> C (m2cgen has no support for it).

scikit-learn's joint log-likelihood of class c is
``log(prior_c) - 0.5 * sum_j log(2 pi var_cj) - 0.5 * sum_j (x_j - theta_cj)^2 / var_cj``
with ``var_cj`` already including ``var_smoothing * max(var(X))`` (``epsilon_``).
The emitter folds the constant terms (computed in double) into one float per
class and a float ``0.5 / var_cj`` per feature, so the watch evaluates
``k_c - sum_j d*d*h_cj`` in float32 with no libm at all.
"""
from __future__ import annotations

import numpy as np

from gaitedge.export.forest import c_float


def _array(name, a):
    a = np.asarray(a, dtype=np.float32)
    if a.ndim == 1:
        return f"static const float {name}[{len(a)}] = {{{', '.join(c_float(v) for v in a)}}};\n"
    rows = ",\n    ".join("{" + ", ".join(c_float(v) for v in r) + "}" for r in a)
    return f"static const float {name}[{a.shape[0]}][{a.shape[1]}] = {{\n    {rows}}};\n"


def nb_constants(theta, var, prior):
    theta, var, prior = (np.asarray(v, dtype=np.float64) for v in (theta, var, prior))
    k = np.log(prior) - 0.5 * np.sum(np.log(2.0 * np.pi * var), axis=1)
    return theta.astype(np.float32), (0.5 / var).astype(np.float32), k.astype(np.float32)


def emit_nb(theta, var, prior):
    """-> C code defining ge_model_scores(f, s): s[c] = float32 joint log-likelihood."""
    th, h, k = nb_constants(theta, var, prior)
    C, F = th.shape
    return (_array("ge_nb_theta", th) + _array("ge_nb_half_inv_var", h) + _array("ge_nb_k", k) + f"""
/* Class scores: joint log-likelihoods (float32; same argmax as scikit-learn's predict). */
static void ge_model_scores(const float *f, float *s)
{{
    int c, j;
    for (c = 0; c < {C}; c++) {{
        float acc = 0.0f;
        for (j = 0; j < {F}; j++) {{
            float d = f[j] - ge_nb_theta[c][j];
            acc += d * d * ge_nb_half_inv_var[c][j];
        }}
        s[c] = ge_nb_k[c] - acc;
    }}
}}
""")


def nb_scores_numpy(theta, var, prior, X):
    """What the emitted C computes, evaluated in numpy float32 (same operation order)."""
    th, h, k = nb_constants(theta, var, prior)
    X = np.asarray(X, dtype=np.float32)
    out = np.empty((len(X), len(k)), dtype=np.float32)
    for c in range(len(k)):
        acc = np.zeros(len(X), dtype=np.float32)
        for j in range(th.shape[1]):
            d = X[:, j] - th[c, j]
            acc = acc + d * d * h[c, j]
        out[:, c] = k[c] - acc
    return out
