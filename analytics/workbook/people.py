"""The Salespeople sheet: each salesperson's portfolio now, and the flow of their customers in the period."""

import numpy as np
import pandas as pd

from ..flow import retention_rates
from ..vocabulary import _
from .flow import FLOW_HEADERS, FLOW_SUMS
from .writer import NONE_LABEL

# This package runs without Odoo: there is no env here, texts are translated
# by the caller through WorkbookData.translate.
# pylint: disable=prefer-env-translation


def write_salespeople(writer):
    """One row per salesperson (customers without one under "(none)"), the largest revenue first."""
    customers = writer.customers_frame
    people = customers.assign(
        salesperson=customers["salesperson"].astype(object).fillna(writer.tr(NONE_LABEL))
        if "salesperson" in customers
        else writer.tr(NONE_LABEL)
    )
    stage = people["customer_stage"] if "customer_stage" in people else pd.Series(None, index=people.index)
    portfolio = pd.DataFrame(
        {
            "salesperson": people["salesperson"],
            "customers": 1,
            "revenue_window": people.get("revenue_window", 0.0),
            "ltv": people.get("ltv", np.nan),
            "at_risk": (stage == "at_risk").astype(int),
            "lost_now": (stage == "lost").astype(int),
            "key_accounts": people.get("is_key_account", pd.Series(False, index=people.index))
            .fillna(False)
            .astype(int),
        }
    )
    portfolio = portfolio.groupby("salesperson").sum(min_count=1)
    flow = writer.data.period_flow
    if len(flow):
        flow = flow.assign(salesperson=flow["salesperson"].astype(object).fillna(writer.tr(NONE_LABEL)))
        per_person = retention_rates(flow.groupby("salesperson")[FLOW_SUMS].sum())
    else:
        per_person = pd.DataFrame(columns=[*FLOW_SUMS, "crr", "strict_retention"], dtype=float)
    table = portfolio.join(per_person, how="outer").reset_index().rename(columns={"index": "salesperson"})
    table = table.sort_values("revenue_window", ascending=False, na_position="last")
    specs = [
        (_("Salesperson"), "salesperson", "text"),
        (_("Customers"), "customers", "int"),
        (_("Revenue in window"), "revenue_window", "money"),
        (_("LTV"), "ltv", "money"),
        (_("At risk now"), "at_risk", "int"),
        (_("Lost now"), "lost_now", "int"),
        (_("Key accounts"), "key_accounts", "int"),
        *[
            (_("Revenue in period") if column == "revenue" else header, column, kind)
            for header, column, kind in FLOW_HEADERS
        ],
    ]
    if "ltv" not in customers:
        specs = [spec for spec in specs if spec[1] != "ltv"]
    writer.list_sheet("salespeople", specs, table)
