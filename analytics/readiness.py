"""Readiness of a prospect: is it ready to buy now?

A salesperson qualifies a prospect on three questions, each answered
``yes``, ``partly`` or ``no``:

- **need**: does it need what we sell?
- **budget**: does it have the money?
- **urgency**: does it need it now?

Readiness, from the three answers:

- ``ready``: need, budget and urgency all ``yes``: make the offer now;
- ``push`` (needs a push): need ``yes`` or ``partly``, but budget or urgency
  not ``yes``: a time-limited offer or prepayment terms, stay in touch;
- ``not_now``: need ``no`` (whatever the other two): record why, come back later;
- none while any of the three answers is missing.

Readiness is also the prospect's temperature at the first contact: ready is
``hot``, needs a push ``warm``, not now ``cold`` (see :mod:`.temperature`).
"""

import numpy as np
import pandas as pd

from .vocabulary import READINESS_LABELS  # noqa: F401 - importable from here, as before

ANSWERS = ("yes", "partly", "no")
READINESS_TEMPERATURE = {"ready": "hot", "push": "warm", "not_now": "cold"}


def readiness(need, budget, urgency):
    """Readiness of one prospect from its three answers (``None`` while one is missing)."""
    answers = (need, budget, urgency)
    given = [answer for answer in answers if isinstance(answer, str) and answer]
    if any(answer not in ANSWERS for answer in given):
        raise ValueError(f"answers are one of {', '.join(ANSWERS)}, not {answers!r}")
    if len(given) < len(answers):
        return None
    if need == "no":
        return "not_now"
    if need == budget == urgency == "yes":
        return "ready"
    return "push"


def readiness_column(frame):
    """Readiness of every row of ``frame`` (columns ``need``, ``budget``, ``urgency``), as an object Series."""
    need, budget, urgency = (frame[column].astype(object) for column in ("need", "budget", "urgency"))
    answered = need.isin(ANSWERS) & budget.isin(ANSWERS) & urgency.isin(ANSWERS)
    values = np.select(
        [~answered, need == "no", (need == "yes") & (budget == "yes") & (urgency == "yes")],
        [None, "not_now", "ready"],
        default="push",
    )
    return pd.Series(values, index=frame.index, dtype=object)


def conversion_by_readiness(leads):
    """Share of closed opportunities won, by readiness.

    ``leads``: one row per opportunity with ``readiness`` and ``outcome``
    (``won``, ``lost`` or ``open``). Returns a frame indexed by readiness with
    ``opportunities`` (all), ``won``, ``lost`` and ``conversion`` = won / (won +
    lost) in percent (NaN while none is closed).
    """
    frame = leads.dropna(subset=["readiness"])
    table = (
        pd.DataFrame(
            {
                "opportunities": frame.groupby("readiness").size(),
                "won": frame[frame["outcome"] == "won"].groupby("readiness").size(),
                "lost": frame[frame["outcome"] == "lost"].groupby("readiness").size(),
            }
        )
        .fillna(0)
        .astype(int)
    )
    closed = (table["won"] + table["lost"]).where(lambda value: value > 0)
    table["conversion"] = table["won"] / closed * 100.0
    return table
