"""Comparing a share of papers in two windows: the Wilson interval of the share ratio, an exact
binomial test of "no change", and Benjamini-Hochberg q-values for many such comparisons."""

from __future__ import annotations

import math
from collections.abc import Sequence

Z = 1.96  # 95% interval
FDR = 0.05  # q at most this: the false discovery rate held to 5%


def share_ratio_bound(a: int, n2: int, b: int, n1: int) -> float:
    """The end of the 95% interval of (a/n2) / (b/n1) nearest 1, or 1.0 when it holds 1.

    Wilson's interval for a/(a+b), the recent window's part of the concept's papers, turned
    into a rate ratio: r = pi/(1-pi) · n1/n2.

    Example:
        >>> round(share_ratio_bound(10, 700, 2, 1300), 2)  # 10 of 700 papers now, 2 of 1300 before
        2.29
        >>> round(share_ratio_bound(0, 700, 10, 1300), 2)  # none now, 10 before: a fall
        0.71
        >>> share_ratio_bound(2, 700, 0, 1300)  # two papers, none before: too few to say
        1.0
    """
    k = a + b
    if not (k and n1 and n2):
        return 1.0
    pi = a / k
    centre = (pi + Z * Z / (2 * k)) / (1 + Z * Z / k)
    half = Z * math.sqrt(pi * (1 - pi) / k + Z * Z / (4 * k * k)) / (1 + Z * Z / k)
    low, high = centre - half, centre + half
    scale = n1 / n2
    if low > 0 and low / (1 - low) * scale > 1:
        return low / (1 - low) * scale
    if high < 1 and high / (1 - high) * scale < 1:
        return high / (1 - high) * scale
    return 1.0


def binomial_p(a: int, k: int, share: float) -> float:
    """Two-sided exact binomial test: the chance of a split as uneven as `a` of `k` when each
    paper falls in the recent window with chance `share`.

    Example:
        >>> round(binomial_p(12, 17, 702 / 2000), 4)  # 12 of 17 papers recent, 35% expected
        0.0037
        >>> binomial_p(0, 0, 0.5)
        1.0
    """
    if k == 0 or not 0 < share < 1:
        return 1.0
    log_s, log_f = math.log(share), math.log1p(-share)
    lg = math.lgamma(k + 1)

    def log_pmf(i: int) -> float:
        return lg - math.lgamma(i + 1) - math.lgamma(k - i + 1) + i * log_s + (k - i) * log_f

    cut = log_pmf(a) + 1e-7
    return min(1.0, sum(math.exp(x) for i in range(k + 1) if (x := log_pmf(i)) <= cut))


def q_values(ps: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg q of each p (given in ascending order): p times (count / its rank),
    made monotone, so that keeping every test with q <= 0.05 keeps about 5% false finds.

    Example:
        >>> [round(q, 4) for q in q_values([0.001, 0.02, 0.03, 0.5])]
        [0.004, 0.04, 0.04, 0.5]
    """
    m, q, out = len(ps), 1.0, [1.0] * len(ps)
    for rank in range(m, 0, -1):
        q = min(q, ps[rank - 1] * m / rank)
        out[rank - 1] = q
    return out
