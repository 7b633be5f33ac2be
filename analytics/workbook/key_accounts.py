"""The Key accounts sheet (each key account with its plan) and the Key account managers sheet."""

import numpy as np
import pandas as pd

from ..vocabulary import KEY_ACCOUNT_COVERAGE_LABELS, _
from .customers import customer_specs

# This package runs without Odoo: there is no env here, texts are translated
# by the caller through WorkbookData.translate.
# pylint: disable=prefer-env-translation

# the Key accounts sheet's columns, of CUSTOMER_COLUMNS
KEY_ACCOUNT_COLUMNS = (
    "name",
    "company",
    "revenue_share",
    "dependency_risk",
    "revenue_window",
    "key_account_manager",
    "salesperson",
)
# Columns of the key account plans (Odoo), added to the Key accounts sheet; empty where the data has none
# (the CSV command): (header, column, kind)
PLAN_COLUMNS = [
    (_("Target revenue"), "target_revenue", "money"),
    (_("Target reached"), "target_reached", "ratio"),
    (_("Relationship health (1-5)"), "key_account_health", "int"),
    (_("People map"), "coverage", "label"),
]
# dependency risk -> background of its cell, the most dangerous first
RISK_COLORS = (("critical", "#F8696B"), ("high", "#FFC7CE"), ("elevated", "#FFEB9C"))


def write_key_accounts(writer):
    """The key accounts, the largest share of revenue first, their risk coloured, their plan's target and health."""
    customers = writer.customers_frame
    if "is_key_account" in customers:
        keys = customers[customers["is_key_account"].fillna(False).astype(bool)]
    else:
        keys = customers.iloc[:0]
    if "revenue_share" in keys:
        keys = keys.sort_values("revenue_share", ascending=False)
    specs = customer_specs(keys.columns, KEY_ACCOUNT_COLUMNS)
    keys = keys.assign(
        **{
            column: np.nan
            for _h, column, _k in PLAN_COLUMNS
            if column not in keys.columns and column != "target_reached"
        }
    )
    target = keys["target_revenue"].astype(float)
    revenue = keys["revenue_window"].astype(float) if "revenue_window" in keys else np.nan
    keys = keys.assign(
        target_reached=(revenue / target.where(target > 0)),
        coverage=keys["coverage"].map(lambda value: KEY_ACCOUNT_COVERAGE_LABELS.get(value, value)),
    )
    specs += PLAN_COLUMNS
    sheet, _end = writer.list_sheet("key_accounts", specs, keys)
    if "dependency_risk" in keys.columns:
        col = [column for _h, column, _k in specs].index("dependency_risk")
        for level, color in RISK_COLORS:
            sheet.conditional_format(
                1,
                col,
                max(len(keys), 1),
                col,
                {
                    "type": "cell",
                    "criteria": "==",
                    "value": f'"{writer.data.risk_labels.get(level, level)}"',
                    "format": writer.workbook.add_format({"bg_color": color}),
                },
            )


def write_key_account_managers(writer):
    """Each key account manager with the key accounts they hold, against the limit when there is one."""
    customers = writer.customers_frame
    if "key_account_manager" in customers:
        # the limit counts key accounts only, as the partner form and the key account plans do:
        # a manager may follow other customers of a key account's group without using it up
        if "is_key_account" in customers:
            customers = customers[customers["is_key_account"].astype("boolean").fillna(False).to_numpy(bool)]
        held = customers.groupby("key_account_manager").size().sort_values(ascending=False)
    else:
        held = pd.Series(dtype=int)
    limit = writer.data.max_key_accounts
    table = pd.DataFrame(
        {
            "manager": held.index,
            "held": held.to_numpy(),
            "limit": limit if limit is not None else np.nan,
            "over": (held.to_numpy() > limit) if limit is not None else False,
        }
    )
    specs = [
        (_("Key account manager"), "manager", "text"),
        (_("Key accounts managed"), "held", "int"),
        (_("Allowed"), "limit", "int"),
        (_("Over the limit"), "over", "bool"),
    ]
    writer.list_sheet("managers", specs, table)
