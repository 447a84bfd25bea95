"""Baseline and burst score of an entity in a window.

``baseline`` is the entity's expected number of articles per window, from the ``K`` previous
windows of the same size (``c_1 .. c_K``, zero where it was absent), smoothed with one
pseudo-window holding one article, so a first appearance has a small, finite expectation::

    baseline = (c_1 + ... + c_K + 1) / (K + 1)

``score`` is the signed square root of the Poisson deviance of the observed count ``x`` against
that expectation (how many standard deviations of a Poisson(baseline) count ``x`` is away,
approximately, also for small counts where ``(x - b) / sqrt(b)`` overrates single articles)::

    D     = x * ln(x / baseline) - (x - baseline)        (x ln x = 0 at x = 0)
    score = sign(x - baseline) * sqrt(2 * D)

Examples with K = 24: a first appearance in 1 article scores 2.1, in 5 articles 6.2; an entity
that averaged 10 articles an hour and is in 30 this hour scores 5.2; one steady at 10 scores 0.1.
"""

from __future__ import annotations

import math


def baseline(previous_total: int, windows: int) -> float:
    """``previous_total``: articles in the ``windows`` previous windows together."""
    return (previous_total + 1.0) / (windows + 1.0)


def burst_score(x: int, expected: float) -> float:
    if expected <= 0:
        raise ValueError("the baseline must be positive")
    deviance = (x * math.log(x / expected) if x > 0 else 0.0) - (x - expected)
    root = math.sqrt(max(0.0, 2.0 * deviance))
    return root if x >= expected else -root
