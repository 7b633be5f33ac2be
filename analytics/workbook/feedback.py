"""The Feedback sheet: the answers, newest first, then per salesperson answers, satisfaction, NPS and complaints.

NPS = % promoters (recommendation 9-10) - % detractors (0-6), over the answers
that give a recommendation (see :mod:`..temperature`).
"""

import numpy as np
import pandas as pd

from ..temperature import DETRACTOR_UP_TO, PROMOTER_FROM
from ..vocabulary import _
from .writer import NONE_LABEL

# This package runs without Odoo: there is no env here, texts are translated
# by the caller through WorkbookData.translate.
# pylint: disable=prefer-env-translation

# (header, column, kind) of the Feedback sheet's answers; absent columns are left out
FEEDBACK_COLUMNS = [
    (_("Date"), "date", "date"),
    (_("Customer"), "customer", "text"),
    (_("Company"), "company", "text"),
    (_("Salesperson"), "salesperson", "text"),
    (_("Asked by"), "asked_by", "text"),
    (_("Order"), "order", "text"),
    (_("Product category"), "category", "text"),
    (_("Satisfaction (1-5)"), "satisfaction", "number"),
    (_("Product"), "satisfaction_product", "int"),
    (_("Service and staff"), "satisfaction_service", "int"),
    (_("Delivery"), "satisfaction_delivery", "int"),
    (_("Moment of sale"), "satisfaction_moment", "int"),
    (_("Recommendation (0-10)"), "recommendation", "int"),
    (_("Share with us"), "share_of_wallet", "percent"),
    (_("Complaint"), "complaint", "bool"),
    (_("What went wrong"), "complaint_note", "text"),
    (_("What would make them buy more"), "buy_more", "text"),
]
SUMMARY_COLUMNS = [
    (_("Salesperson"), "salesperson", "text"),
    (_("Answers"), "answers", "int"),
    (_("Satisfaction (1-5)"), "satisfaction", "number"),
    (_("NPS"), "nps", "number"),
    (_("Complaints"), "complaints", "int"),
]


def write_feedback(writer):
    """The feedback answers, then per salesperson: answers, satisfaction, NPS (% promoters - % detractors)
    and complaints."""
    answers = writer.data.feedback
    if "date" in answers:
        answers = answers.sort_values("date", ascending=False, kind="stable")
    specs = [spec for spec in FEEDBACK_COLUMNS if spec[1] in answers.columns]
    people = answers.assign(
        salesperson=answers["salesperson"].astype(object).fillna(writer.tr(NONE_LABEL))
        if "salesperson" in answers
        else writer.tr(NONE_LABEL)
    )
    recommendation = pd.to_numeric(people.get("recommendation", pd.Series(np.nan, index=people.index)))
    answered = recommendation.notna()
    frame = pd.DataFrame(
        {
            "salesperson": people["salesperson"],
            "answers": 1,
            "satisfaction": pd.to_numeric(people.get("satisfaction", pd.Series(np.nan, index=people.index))),
            "promoters": (recommendation >= PROMOTER_FROM).astype(int),
            "detractors": (answered & (recommendation <= DETRACTOR_UP_TO)).astype(int),
            "answered": answered.astype(int),
            "complaints": people.get("complaint", pd.Series(False, index=people.index)).fillna(False).astype(int),
        }
    )
    grouped = frame.groupby("salesperson")
    summary = grouped[["answers", "promoters", "detractors", "answered", "complaints"]].sum()
    summary["satisfaction"] = grouped["satisfaction"].mean()
    rated = summary["answered"].where(summary["answered"] > 0)
    summary["nps"] = (summary["promoters"] - summary["detractors"]) / rated * 100.0
    summary = summary.reset_index().sort_values("answers", ascending=False, kind="stable")
    writer.list_sheet("feedback", specs, answers, more=[(SUMMARY_COLUMNS, summary)])
