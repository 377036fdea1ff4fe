"""Random forest -> microcontroller C, from m2cgen's expression tree.

m2cgen assembles a fitted forest into ``BinVectorNumExpr(BinVectorExpr(tree_1 + tree_2 ...), 1/n, MUL)``
where each tree is nested ``IfExpr(CompExpr(FeatureRef(j), NumVal(t), LTE), ..)`` with
``VectorVal`` leaves of class probabilities. Stock m2cgen prints that as one giant
double-precision function with a ``double[n_classes]`` temporary per tree. Here
the same tree is printed as:

- one ``static void`` function per tree, so every function assembles for Thumb-2;
- float32 comparisons against thresholds rounded toward minus infinity (the
  largest float <= the double threshold), written as exact hex literals, so
  ``x <= t_float`` decides exactly like scikit-learn's ``(double)x <= t`` for
  every float32 x;
- leaves that vote without copying a probability vector: a pure leaf returns its
  class index and the caller adds one vote (``s[c] += 1.0f``); a mixed leaf adds
  only its non-zero fractions into the caller's score vector and returns -1;
- no recursion, no temporaries, no libm.
"""
from __future__ import annotations

import numpy as np
from m2cgen import assemblers
from m2cgen import ast as mast


def assemble(model):
    """m2cgen's expression tree for a fitted scikit-learn forest."""
    return assemblers.get_assembler_cls(model)(model).assemble()


def split_trees(expr):
    """-> (list of per-tree expressions, scale) from m2cgen's forest expression."""
    scale = 1.0
    if isinstance(expr, mast.BinVectorNumExpr):
        scale = float(expr.right.value)
        expr = expr.left
    trees = []

    def walk(e):
        if isinstance(e, mast.BinVectorExpr) and e.op == mast.BinNumOpType.ADD:
            walk(e.left)
            walk(e.right)
        else:
            trees.append(e)
    walk(expr)
    return trees, scale


def float_floor(t: float) -> np.float32:
    """Largest float32 <= t (so x <= result  <=>  x <= t for every float32 x)."""
    f = np.float32(t)
    if float(f) > t:
        f = np.nextafter(f, np.float32(-np.inf))
    return f


def c_float(v) -> str:
    """Exact C99 hex float literal of a float32 value."""
    v = float(np.float32(v))
    if v == 0.0:
        return "0.0f"
    if np.isinf(v):
        return "INFINITY" if v > 0 else "-INFINITY"
    return f"{v.hex()}f"


def _emit(e, out, depth):
    pad = "    " * depth
    if isinstance(e, mast.IfExpr):
        c = e.test
        if not (isinstance(c, mast.CompExpr) and isinstance(c.left, mast.FeatureRef)
                and isinstance(c.right, mast.NumVal) and c.op == mast.CompOpType.LTE):
            raise NotImplementedError(f"unsupported split {c!r}")
        out.append(f"{pad}if (f[{c.left.index}] <= {c_float(float_floor(float(c.right.value)))}) {{")
        _emit(e.body, out, depth + 1)
        out.append(f"{pad}}} else {{")
        _emit(e.orelse, out, depth + 1)
        out.append(f"{pad}}}")
    elif isinstance(e, mast.VectorVal):
        vals = [float(v.value) for v in e.exprs]
        nz = [(k, v) for k, v in enumerate(vals) if v != 0.0]
        if len(nz) == 1 and nz[0][1] == 1.0:
            out.append(f"{pad}return {nz[0][0]};")
        else:
            out += [f"{pad}s[{k}] += {c_float(v)};" for k, v in nz]
            out.append(f"{pad}return -1;")
    else:
        raise NotImplementedError(f"unsupported expression {type(e).__name__}")


def emit_forest(model):
    """-> (C code of the tree functions and ge_model_scores, n_trees)."""
    trees, scale = split_trees(assemble(model))
    n_classes = len(model.classes_)
    lines = []
    for k, t in enumerate(trees):
        lines.append(f"static int ge_tree_{k}(const float *f, float *s)\n{{")
        body = []
        _emit(t, body, 1)
        lines += body
        lines.append("}\n")
    table = ",\n    ".join(f"ge_tree_{k}" for k in range(len(trees)))
    lines.append(f"""/* The trees, in scikit-learn's order (the order of the float additions is part of the result). */
static int (*const ge_trees[{len(trees)}])(const float *, float *) = {{
    {table}}};

/* Class scores: the mean over trees of each tree's leaf fractions (= predict_proba). */
static void ge_model_scores(const float *f, float *s)
{{
    int c, k;
    for (c = 0; c < {n_classes}; c++) s[c] = 0.0f;
    for (k = 0; k < {len(trees)}; k++) {{
        c = ge_trees[k](f, s);
        if (c >= 0) s[c] += 1.0f;   /* a pure leaf: one vote */
    }}
    for (c = 0; c < {n_classes}; c++) s[c] = s[c] / {float(len(trees))!r}f;
}}
""")
    assert abs(scale * len(trees) - 1.0) < 1e-9, "unexpected forest scale"
    return "\n".join(lines), len(trees)
