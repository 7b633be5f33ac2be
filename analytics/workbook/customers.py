"""The Customers sheet (every metric of every customer) and the Lost and at risk list."""

import pandas as pd

from ..vocabulary import RFM_SEGMENT_LABELS, _

# This package runs without Odoo: there is no env here, texts are translated
# by the caller through WorkbookData.translate.
# pylint: disable=prefer-env-translation

# (header, column, kind); columns absent from the customers frame (fields the
# user may not read) are left out of the sheet
CUSTOMER_COLUMNS = [
    (_("Customer"), "name", "text"),
    (_("Company"), "company", "text"),
    (_("Salesperson"), "salesperson", "text"),
    (_("Sales Team"), "team", "text"),
    (_("Stage"), "customer_stage", "stage"),
    (_("Segment"), "customer_segment", "text"),
    (_("ABC"), "abc_class", "class"),
    (_("XYZ"), "xyz_class", "class"),
    (_("Orders"), "order_count", "int"),
    (_("First order"), "first_order_date", "date"),
    (_("Last order"), "last_order_date", "date"),
    (_("Days since last order"), "days_since_last_order", "int"),
    (_("Usual days between orders"), "median_order_interval", "number"),
    (_("Next order expected"), "next_order_date", "date"),
    (_("Revenue to date"), "revenue_total", "money"),
    (_("Margin to date"), "margin_total", "money"),
    (_("Average order (S)"), "average_order_value", "money"),
    (_("Orders per month (C)"), "purchase_frequency", "number"),
    (_("Margin rate (P)"), "profitability", "ratio"),
    (_("Lifetime, months (T)"), "customer_lifetime_months", "number"),
    (_("LTV"), "ltv", "money"),
    (_("LTV basis"), "ltv_basis", "basis"),
    (_("Revenue in window"), "revenue_window", "money"),
    (_("Share of revenue"), "revenue_share", "ratio"),
    (_("Dependency risk"), "dependency_risk", "risk"),
    (_("Key account"), "is_key_account", "bool"),
    (_("Key account manager"), "key_account_manager", "text"),
    (_("Service rule"), "contact_rule", "text"),
    (_("Last contact"), "last_contact_date", "date"),
    (_("Next contact due"), "next_contact_date", "date"),
    (_("Days overdue"), "contact_days_overdue", "int"),
    # the model's prediction (see prediction.py) and RFM (rfm.py)
    (_("Probability still active"), "p_alive", "ratio"),
    (_("Expected orders, 90 days"), "expected_orders_90", "number"),
    (_("Expected orders, 12 months"), "expected_orders_365", "number"),
    (_("Predicted revenue, 12 months"), "predicted_revenue_12m", "money"),
    (_("Predicted margin, 12 months"), "predicted_margin_12m", "money"),
    (_("Predicted CLV (model)"), "predicted_clv", "money"),
    (_("RFM score"), "rfm_score", "int"),  # the three digits R, F, M as one number, e.g. 545
    (_("RFM segment"), "rfm_segment", "text"),
]
# the customers' figures of the prediction model, empty when it could not be fitted
PREDICTION_COLUMNS = (
    "p_alive",
    "expected_orders_90",
    "expected_orders_365",
    "predicted_revenue_12m",
    "predicted_margin_12m",
    "predicted_clv",
)
# the Lost and at risk list's columns, of CUSTOMER_COLUMNS
SLIPPING_COLUMNS = (
    "name",
    "company",
    "customer_stage",
    "last_order_date",
    "days_since_last_order",
    "revenue_total",
    "ltv",
    "abc_class",
    "salesperson",
)


def prepare_customers(customers, tr):
    """The customers as the sheets show them: classes in capitals, RFM segments in words (``tr`` translates),
    the largest revenue first."""
    frame = customers.copy()
    for column in ("abc_class", "xyz_class"):
        if column in frame:
            frame[column] = frame[column].map(lambda value: value.upper() if isinstance(value, str) else None)
    if "rfm_score" in frame:
        # a number, so that it sorts and filters as one and no program flags digits stored as text
        frame["rfm_score"] = pd.to_numeric(frame["rfm_score"], errors="coerce")
    if "rfm_segment" in frame:
        frame["rfm_segment"] = frame["rfm_segment"].map(
            lambda value: tr(RFM_SEGMENT_LABELS.get(value, value)) if isinstance(value, str) else None
        )
    if "revenue_total" in frame:
        frame = frame.sort_values("revenue_total", ascending=False, na_position="last", kind="stable")
    return frame.reset_index(drop=True)


def customer_specs(columns, wanted):
    """The specs of ``CUSTOMER_COLUMNS`` named in ``wanted``, in that order, that ``columns`` hold."""
    return [spec for column in wanted for spec in CUSTOMER_COLUMNS if spec[1] == column and column in columns]


def prediction_note(writer):
    """Why the Customers sheet's prediction columns are empty; empty when they are filled or absent."""
    shown = set(PREDICTION_COLUMNS) & set(writer.customers_frame.columns)
    if not writer.data.prediction_note or not shown:
        return ""
    return writer.tr(
        _(
            "%(reason)s The prediction columns of the Customers sheet "
            "(probability still active to predicted CLV) are left empty."
        ),
        reason=writer.data.prediction_note,
    )


def write_customers(writer):
    """Every customer with every figure the caller gave, a note on the prediction's first column when it is empty."""
    specs = writer.customer_columns()
    note = prediction_note(writer)
    columns = [column for _header, column, _kind in specs]
    first = next((columns.index(column) for column in columns if column in PREDICTION_COLUMNS), None)
    writer.list_sheet("customers", specs, writer.customers_frame, notes={first: note} if note else None)


def write_lost_and_at_risk(writer):
    """The customers lost or at risk, the largest revenue first."""
    customers = writer.customers_frame
    if "customer_stage" in customers:
        slipping = customers[customers["customer_stage"].isin(["lost", "at_risk"])]
    else:
        slipping = customers.iloc[:0]
    writer.list_sheet("slipping", customer_specs(slipping.columns, SLIPPING_COLUMNS), slipping)
