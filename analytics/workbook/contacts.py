"""The Contact coverage sheet: customers under the service policy on time, overdue or never contacted,
by rule and by salesperson (see :func:`..contacts.coverage`), then the overdue customers."""

import pandas as pd

from ..vocabulary import _
from .customers import customer_specs
from .writer import NONE_LABEL

# This package runs without Odoo: there is no env here, texts are translated
# by the caller through WorkbookData.translate.
# pylint: disable=prefer-env-translation

COUNT_COLUMNS = [
    (_("Customers"), "customers", "int"),
    (_("On time"), "on_time", "int"),
    (_("Overdue"), "overdue", "int"),
    (_("Never contacted"), "never", "int"),
    (_("Share on time"), "share", "percent"),
]
# the overdue customers' columns, of CUSTOMER_COLUMNS
LATE_COLUMNS = (
    "name",
    "salesperson",
    "contact_rule",
    "last_contact_date",
    "next_contact_date",
    "contact_days_overdue",
)


def write_contact_coverage(writer):
    """Customers under the service policy by rule and by salesperson: on time, overdue, never
    contacted (see :func:`.contacts.coverage`), then the overdue customers, most late first.
    Left out when the customers carry no service rule (a CSV of orders has no contacts)."""
    customers = writer.customers_frame
    if "contact_rule" not in customers or customers["contact_rule"].isna().all():
        return
    ruled = customers[customers["contact_rule"].notna()].copy()
    never = ruled["last_contact_date"].isna() if "last_contact_date" in ruled else True
    overdue = ruled.get("contact_days_overdue", pd.Series(0, index=ruled.index)).fillna(0) > 0
    ruled["never"] = never
    ruled["overdue"] = overdue & ~ruled["never"]
    ruled["on_time"] = ~ruled["never"] & ~ruled["overdue"]
    salesperson = ruled["salesperson"] if "salesperson" in ruled else pd.Series(None, index=ruled.index)
    # object first: a column of customers without salesperson is read as float NaN
    ruled["salesperson"] = salesperson.astype(object).where(salesperson.notna(), writer.tr(NONE_LABEL))

    def summary(by):
        table = ruled.groupby(by, sort=True)[["on_time", "overdue", "never"]].sum().astype(int)
        table.insert(0, "customers", ruled.groupby(by, sort=True).size())
        table["share"] = table["on_time"] * 100.0 / table["customers"]
        return table.reset_index()

    late = ruled[ruled["overdue"]].sort_values("contact_days_overdue", ascending=False, kind="stable")
    writer.list_sheet(
        "coverage",
        [(_("Service rule"), "contact_rule", "text"), *COUNT_COLUMNS],
        summary("contact_rule"),
        more=[
            ([(_("Salesperson"), "salesperson", "text"), *COUNT_COLUMNS], summary("salesperson")),
            (customer_specs(late.columns, LATE_COLUMNS), late),
        ],
    )
