"""matplotlib figures for the evaluation report (written atomically as PNG)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.stats import norm  # noqa: E402

from gaitedge.io import atomic_write  # noqa: E402


def _save(fig, path):
    with atomic_write(path, "wb") as fh:
        fig.savefig(fh, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)


def confusion(conf, title, path):
    M = np.array(conf["matrix"], dtype=float)
    M = M / np.maximum(M.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(7.5, 6.5))
    im = ax.imshow(M, cmap="Blues", vmin=0, vmax=1)
    labels = conf["labels"]
    step = max(1, len(labels) // 24)
    ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=90, fontsize=7)
    ax.set_yticks(range(0, len(labels), step), labels[::step], fontsize=7)
    ax.set_xlabel("predicted user")
    ax.set_ylabel("actual user")
    ax.set_title(title, fontsize=10)
    fig.colorbar(im, ax=ax, label="share of the user's windows")
    _save(fig, path)


def det(curves, title, path):
    """curves: {label: (far, frr)} in [0, 1]; normal-deviate axes as in DET plots."""
    fig, ax = plt.subplots(figsize=(6, 6))
    lim = 1e-3
    for label, (far, frr) in curves.items():
        far, frr = np.clip(far, lim, 1 - lim), np.clip(frr, lim, 1 - lim)
        ax.plot(norm.ppf(far), norm.ppf(frr), label=label)
    ticks = [0.001, 0.01, 0.05, 0.2, 0.5, 0.8]
    ax.set_xticks(norm.ppf(ticks), [f"{100 * t:g}" for t in ticks])
    ax.set_yticks(norm.ppf(ticks), [f"{100 * t:g}" for t in ticks])
    ax.plot(norm.ppf([lim, 0.9]), norm.ppf([lim, 0.9]), ":", color="grey", lw=0.8, label="EER line")
    ax.set_xlabel("false accept rate (%)")
    ax.set_ylabel("false reject rate (%)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    _save(fig, path)


def accuracy_vs_seconds(series, title, path):
    """series: {"featureset/sensor/classifier": {"10": acc, "20": acc, ...}}; one panel per feature set,
    colour = sensor, line style = classifier."""
    sets = sorted({k.split("/")[0] for k in series})
    colours = {"accel": "tab:blue", "gyro": "tab:orange", "fused": "tab:green", "table": "tab:grey"}
    styles = {"nb": ":", "rf": "-", "rotf": "--", "mlp": "-.", "et": (0, (5, 1))}
    fig, axes = plt.subplots(1, len(sets), figsize=(5.2 * len(sets), 4.2), sharey=True, squeeze=False)
    for ax, fs in zip(axes[0], sets):
        for label, d in series.items():
            f, s, c = label.split("/")
            if f != fs:
                continue
            xs = sorted(int(k) for k in d)
            ax.plot(xs, [d[str(x)] for x in xs], marker="o", ms=3, color=colours.get(s, "black"),
                    ls=styles.get(c, "-"), label=f"{s} {c}")
        ax.set_title(f"feature set {fs}", fontsize=10)
        ax.set_xlabel("seconds of walking voted over")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=3)
    axes[0][0].set_ylabel("identification accuracy (%)")
    fig.suptitle(title, fontsize=11)
    _save(fig, path)
