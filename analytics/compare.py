"""Threshold comparisons that put exact boundaries where the definitions say.

Shares and rates come out of float arithmetic (a share of exactly 80 % may be
computed as 79.99999999999999). Values within ``EPSILON`` of a limit count as
equal to it, so "exactly 80 % is B" holds whatever the rounding.
"""

import numpy as np

EPSILON = 1e-9


def at_least(values, limit):
    """``values >= limit``, equality taken with a tolerance."""
    return np.asarray(values, dtype=float) >= limit - EPSILON * max(1.0, abs(limit))


def below(values, limit):
    """``values < limit``, equality taken with a tolerance (equal is not below)."""
    return ~at_least(values, limit)


def at_most(values, limit):
    """``values <= limit``, equality taken with a tolerance."""
    return np.asarray(values, dtype=float) <= limit + EPSILON * max(1.0, abs(limit))
