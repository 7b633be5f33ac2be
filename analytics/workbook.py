"""Excel workbook of a customer base (xlsxwriter): frames in, bytes out.

Sheets: Summary (KPIs and CRR of the period, charts), Customers (every
metric), ABC-XYZ (matrix with colour scales), Lifecycle (funnel and stage
changes), Retention (CRR by month, and by quarter and year when given),
Salespeople (portfolios), Key accounts, Key account managers, Lost and at
risk.

Made to be read in a spreadsheet program: columns as wide as their headers
and widest values, periods and flags in words ("Nov 2025", "Yes"), charts
that carry their labels, sheets that print landscape one page wide.

Every text is marked with :func:`_` (so that Odoo's translation export finds
it) and translated when written by ``WorkbookData.translate`` (Odoo passes
its own ``env._``; the command line keeps English).

Written in xlsxwriter's constant-memory mode, row after row, so that 100,000
customers take little memory. Text is always written as text: a name that
starts with ``=``, ``+``, ``-`` or ``@`` never becomes a formula.
"""

import datetime
import io
import math
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xlsxwriter

from .flow import retention_rates
from .lifecycle import STAGE_LABELS, STAGES

# This package runs without Odoo: there is no env here, texts are translated
# by the caller through WorkbookData.translate.
# pylint: disable=prefer-env-translation


def _(text):
    """Mark ``text`` for translation; the writer translates it with ``WorkbookData.translate``."""
    return text


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
RFM_SEGMENT_LABELS = {
    "champions": _("Champions"),
    "loyal": _("Loyal"),
    "potential_loyalists": _("Potential Loyalists"),
    "new": _("New"),
    "need_attention": _("Need Attention"),
    "about_to_sleep": _("About to Sleep"),
    "cannot_lose": _("Cannot Lose Them"),
    "at_risk": _("At Risk"),
    "hibernating": _("Hibernating"),
    "lost": _("Lost"),
}
# Forecast sheet: the holdout check of the prediction (prediction.holdout_check)
FORECAST_HEADERS = [
    (_("Repeat purchases in calibration"), "calibration_purchases", "text"),
    (_("Customers"), "customers", "int"),
    (_("Actual purchases in holdout"), "actual", "int"),
    (_("Predicted, BG/NBD"), "bgnbd", "number"),
    (_("Predicted, MBG/NBD"), "mbgnbd", "number"),
    (_("Actual per customer"), "actual_mean", "number"),
    (_("BG/NBD per customer"), "bgnbd_mean", "number"),
    (_("MBG/NBD per customer"), "mbgnbd_mean", "number"),
]
FLOW_HEADERS = [
    (_("Active at start (S)"), "customers_start", "int"),
    (_("Active at end (E)"), "customers_end", "int"),
    (_("New (N)"), "customers_new", "int"),
    (_("Lost"), "customers_lost", "int"),
    (_("Reactivated"), "customers_reactivated", "int"),
    (_("Kept (never lost in the period)"), "customers_retained", "int"),
    (_("CRR"), "crr", "percent"),
    (_("Strict retention"), "strict_retention", "percent"),
    (_("Revenue"), "revenue", "money"),
]
MONTH_NAMES = (
    _("Jan"),
    _("Feb"),
    _("Mar"),
    _("Apr"),
    _("May"),
    _("Jun"),
    _("Jul"),
    _("Aug"),
    _("Sep"),
    _("Oct"),
    _("Nov"),
    _("Dec"),
)
# (kind of period, header of its column, WorkbookData field of its flow) of the Retention sheet's tables
PERIOD_TABLES = (
    ("month", _("Month"), "monthly_flow"),
    ("quarter", _("Quarter"), "quarterly_flow"),
    ("year", _("Year"), "yearly_flow"),
)
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
PROMOTER_FROM, DETRACTOR_UP_TO = 9, 6  # recommendation: 9-10 promoter, 0-6 detractor (NPS)
RISK_LABELS = {"none": _("None"), "elevated": _("Elevated"), "high": _("High"), "critical": _("Critical")}
NONE_LABEL = _("(none)")
YES, NO = _("Yes"), _("No")
LTV_BASIS_LABELS = {
    "projected": _("Projected (S x C x P x T)"),
    "too_early": _("Too early to project: margin so far"),
    "lost": _("Lost: value realised"),
}
# Columns of the key account plans (Odoo), added to the Key accounts sheet; empty where the data has none
# (the CSV command): (header, column, kind)
PLAN_COLUMNS = [
    (_("Target revenue"), "target_revenue", "money"),
    (_("Target reached"), "target_reached", "ratio"),
    (_("Relationship health (1-5)"), "key_account_health", "int"),
    (_("People map"), "coverage", "label"),
]
COVERAGE_LABELS = {"covered": _("Covered"), "single_threaded": _("Single-threaded")}
SHEETS = {
    "summary": _("Summary"),
    "customers": _("Customers"),
    "matrix": _("ABC-XYZ"),
    "lifecycle": _("Lifecycle"),
    "retention": _("Retention"),
    "salespeople": _("Salespeople"),
    "key_accounts": _("Key accounts"),
    "managers": _("Key account managers"),
    "slipping": _("Lost and at risk"),
    "feedback": _("Feedback"),
    "coverage": _("Contact coverage"),
    "forecast": _("Forecast"),  # only with a calibration date
}
MAX_SHEET_NAME = 31  # characters Excel allows
CHART_ROWS = 16  # rows a chart covers
# xlsxwriter's chart is 480 pixels wide, over columns of Excel's default 64 pixels from E on
CHART_COLUMNS = 8  # columns a chart covers (7.5, the last one in part)
SUMMARY_CHART_COLUMN = 4  # column E: the Summary's charts stand right of its tables
# the customers' figures of the prediction model, empty when it could not be fitted
PREDICTION_COLUMNS = (
    "p_alive",
    "expected_orders_90",
    "expected_orders_365",
    "predicted_revenue_12m",
    "predicted_margin_12m",
    "predicted_clv",
)
# Column widths are in Excel's unit, the width of a digit: a column is as
# wide as its header and its widest value, so that amounts never turn into
# "####" and headers never break inside a word.
MIN_WIDTH = 6  # characters
MAX_TEXT_WIDTH = 50  # characters: a longer name is cut at the cell's edge rather than widen the sheet
MAX_HEADER_WIDTH = 14  # characters: a longer header wraps between its words
CELL_PADDING = 2  # characters of margin around a value
FILTER_BUTTON = 2  # characters the autofilter's arrow covers in a header
BOLD_FACTOR = 1.1  # bold letters are wider
LINE_HEIGHT = 15  # points per line of wrapped text
# Chinese, Japanese and Korean characters (and full-width forms) take two
# digits' width: a column fitted on their count would cut them in half.
WIDE_CHARACTERS = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
)


def text_width(text):
    """Width of ``text`` in digits: one per character, two per wide (CJK) character."""
    return len(text) + len(WIDE_CHARACTERS.findall(text))


@dataclass
class WorkbookData:
    """Everything a customer base workbook shows.

    ``customers``: one row per customer, columns of ``CUSTOMER_COLUMNS``
    (``name`` required, the others optional); ``monthly_flow`` and
    ``period_flow``: rows of :func:`.flow.customer_flow` by month and over the
    whole period, with ``salesperson`` (and ``team``) as names;
    ``transitions``: ``from_stage``, ``to_stage``, ``customers``;
    ``quarterly_flow`` and ``yearly_flow``, optional: rows of the same kind
    by calendar quarter and year, shown below the months.
    """

    customers: pd.DataFrame
    monthly_flow: pd.DataFrame
    period_flow: pd.DataFrame
    transitions: pd.DataFrame
    company: str
    date_from: datetime.date
    date_to: datetime.date
    currency: str = ""
    margin_note: str = ""
    transitions_note: str = ""
    lifetime_months: float | None = None
    max_key_accounts: int | None = None
    stage_labels: dict = field(default_factory=lambda: dict(STAGE_LABELS))
    risk_labels: dict = field(default_factory=lambda: dict(RISK_LABELS))
    translate: Callable[[str], str] = str  # translates the workbook's own texts
    quarterly_flow: pd.DataFrame | None = None
    yearly_flow: pd.DataFrame | None = None
    right_to_left: bool = False  # sheets read from the right, for Arabic, Hebrew, Persian readers
    # one row per feedback answer, columns of FEEDBACK_COLUMNS; None: no Feedback sheet
    feedback: pd.DataFrame | None = None
    # holdout check of the prediction: {"table": frame of prediction.holdout_check, "calibration_end",
    # "holdout_end" (dates), "fits": {model: Fit.as_dict()}}; the Forecast sheet only when given
    forecast: dict | None = None
    # why the prediction columns are empty (the reason of the MBG/NBD Fit, prediction.py); empty when fitted
    prediction_note: str = ""


def build_workbook(data, tmpdir=None):
    """Bytes of the workbook of a :class:`WorkbookData`."""
    buffer = io.BytesIO()
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    if tmpdir:
        options["tmpdir"] = tmpdir
    workbook = xlsxwriter.Workbook(buffer, options)
    writer = _Writer(workbook, data)
    writer.summary()
    writer.customers()
    writer.matrix()
    writer.lifecycle()
    writer.retention()
    writer.salespeople()
    writer.key_accounts()
    writer.key_account_managers()
    writer.lost_and_at_risk()
    if data.feedback is not None:
        writer.feedback()
    writer.contact_coverage()
    if data.forecast is not None:
        writer.forecast()
    writer.fit_columns()
    workbook.close()
    return buffer.getvalue()


def _missing(value):
    # pd.NA too: a frame read by the caller may hold nullable columns; no pd.isna, once per cell is slow
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


class _Writer:
    """Writes the sheets of one workbook; each method writes its sheet top to bottom."""

    def __init__(self, workbook, data):
        self.workbook = workbook
        self.data = data
        # any code or sign ("EUR", "€", "R$") fits between the quotes of a number format but a quote
        shown = data.currency and not set('"\\') & set(data.currency)
        self.currency_suffix = f" {data.currency}" if shown else ""
        money = "#,##0.00" + (f' "{data.currency}"' if shown else "")
        self.formats = {
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "money": workbook.add_format({"num_format": money}),
            "ratio": workbook.add_format({"num_format": "0.0%"}),
            "percent": workbook.add_format({"num_format": "0.0%"}),
            "number": workbook.add_format({"num_format": "0.00"}),
            "int": workbook.add_format({"num_format": "0"}),
            "header": workbook.add_format(
                {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
            ),
            "note": workbook.add_format({"text_wrap": True, "valign": "top"}),
            "title": workbook.add_format({"bold": True, "font_size": 14}),
            "bold": workbook.add_format({"bold": True}),
        }
        self.sheet_names = {key: self._sheet_name(name) for key, name in SHEETS.items()}
        self.widths = {}  # sheet name: {column: width}, applied once every sheet is written
        self.customers_frame = self._customers_frame(data.customers)
        self.monthly = self._by_period(data.monthly_flow)
        self.period_totals = self._totals(data.period_flow)

    def tr(self, text, **params):
        """``text`` translated, with ``%(name)s`` placeholders filled from ``params``."""
        translated = self.data.translate(text)
        return translated % params if params else translated

    def _sheet_name(self, name):
        # a translation must still make a valid, short sheet name
        return re.sub(r"[\[\]:*?/\\]", " ", self.tr(name))[:MAX_SHEET_NAME]

    def _add_sheet(self, key):
        """A new sheet that prints on pages as wide as one sheet of paper, its first row on each."""
        sheet = self.workbook.add_worksheet(self.sheet_names[key])
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)  # one page wide, as many pages long as it takes
        sheet.repeat_rows(0)
        if self.data.right_to_left:
            sheet.right_to_left()
        return sheet

    # ---- preparation

    def _customers_frame(self, customers):
        frame = customers.copy()
        for column in ("abc_class", "xyz_class"):
            if column in frame:
                frame[column] = frame[column].map(lambda value: value.upper() if isinstance(value, str) else None)
        if "rfm_score" in frame:
            # a number, so that it sorts and filters as one and no program flags digits stored as text
            frame["rfm_score"] = pd.to_numeric(frame["rfm_score"], errors="coerce")
        if "rfm_segment" in frame:
            frame["rfm_segment"] = frame["rfm_segment"].map(
                lambda value: self.tr(RFM_SEGMENT_LABELS.get(value, value)) if isinstance(value, str) else None
            )
        if "revenue_total" in frame:
            frame = frame.sort_values("revenue_total", ascending=False, na_position="last", kind="stable")
        return frame.reset_index(drop=True)

    @staticmethod
    def _totals(flow):
        columns = [column for _header, column, kind in FLOW_HEADERS if kind != "percent"]
        totals = flow[columns].sum() if len(flow) else pd.Series(0, index=columns)
        return retention_rates(totals.to_frame().T.astype(float)).iloc[0]

    @staticmethod
    def _by_period(flow):
        columns = [column for _header, column, kind in FLOW_HEADERS if kind != "percent"]
        if not len(flow):
            return retention_rates(pd.DataFrame(columns=["period_start", *columns], dtype=float))
        return retention_rates(flow.groupby("period_start", sort=True)[columns].sum().reset_index())

    def period_label(self, kind, start):
        """A period named as people name it: "Dec 2025", "Q1 2026", "2026"."""
        start = pd.Timestamp(start)
        if kind == "month":
            return self.tr(_("%(month)s %(year)s"), month=self.tr(MONTH_NAMES[start.month - 1]), year=start.year)
        if kind == "quarter":
            return self.tr(_("Q%(quarter)s %(year)s"), quarter=(start.month - 1) // 3 + 1, year=start.year)
        return str(start.year)

    def _series(self, name, key, first_row, last_row, category_col, value_col, categories, values):
        """A chart series over rows of sheet ``key``, with the cells' values given too.

        In constant-memory mode xlsxwriter cannot read the cells back, so
        without ``categories_data`` a chart holds no cached values and takes
        its labels for numbers: some programs then show 1, 2, 3 for months.
        """
        sheet = self.sheet_names[key]
        return {
            "name": name,
            "categories": [sheet, first_row, category_col, last_row, category_col],
            "values": [sheet, first_row, value_col, last_row, value_col],
            "categories_data": [str(category) for category in categories],
            "values_data": [None if _missing(value) else float(value) for value in values],
        }

    def _columns(self):
        return [spec for spec in CUSTOMER_COLUMNS if spec[1] in self.customers_frame.columns]

    # ---- column widths

    def _fit(self, sheet, col, width):
        """Widen column ``col`` of ``sheet`` to at least ``width``."""
        widths = self.widths.setdefault(sheet.name, {})
        widths[col] = max(widths.get(col, MIN_WIDTH), width)

    def _header_width(self, text, filter_button=False):
        # the header wraps between words, never inside one
        longest_word = max((text_width(word) for word in text.split()), default=0)
        return (
            max(min(text_width(text), MAX_HEADER_WIDTH), longest_word) * BOLD_FACTOR
            + CELL_PADDING
            + (FILTER_BUTTON if filter_button else 0)
        )

    def _value_width(self, kind, values):
        """Characters of the widest of ``values`` as the cells of ``kind`` show them."""
        values = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
        present = values[values.notna()]
        if not len(present):
            return 0
        if kind in ("text", "class", "stage", "risk", "label", "basis"):
            labels = {"stage": self.data.stage_labels, "risk": self.data.risk_labels, "basis": LTV_BASIS_LABELS}.get(
                kind
            )
            texts = present.map(lambda value: labels.get(value, value)) if labels else present
            if kind in ("label", "basis"):
                texts = texts.map(self.tr)
            texts = texts.astype(str)
            widths = texts.str.len() + texts.str.count(WIDE_CHARACTERS.pattern)
            return min(int(widths.max()), MAX_TEXT_WIDTH)
        if kind == "bool":
            return max(text_width(self.tr(YES)), text_width(self.tr(NO)))
        if kind == "date":
            return len("2000-01-01")
        numbers = pd.to_numeric(present, errors="coerce").astype(float)
        biggest, sign = float(numbers.abs().max()), int(bool((numbers < 0).any()))
        if kind == "money":
            return len(f"{biggest:,.2f}") + sign + len(self.currency_suffix)
        if kind == "ratio":
            return len(f"{biggest * 100:.1f}%") + sign
        if kind == "percent":
            return len(f"{biggest:.1f}%") + sign
        if kind == "int":
            return len(f"{biggest:.0f}") + sign
        return len(f"{biggest:.2f}") + sign

    def _fit_values(self, sheet, col, kind, values):
        self._fit(sheet, col, self._value_width(kind, values) + CELL_PADDING)

    def _fit_table(self, sheet, specs, frame, filter_button=False):
        """Fit the columns of ``sheet`` to the headers of ``specs`` and the columns of ``frame``, in that order."""
        for col, (header, _column, kind) in enumerate(specs):
            self._fit(sheet, col, self._header_width(self.tr(header), filter_button))
            if len(frame):
                self._fit_values(sheet, col, kind, frame.iloc[:, col])

    def _lines(self, text, width, bold=False, filter_button=False):
        """Lines ``text`` takes in a wrapping cell ``width`` wide."""
        room = (width - CELL_PADDING - (FILTER_BUTTON if filter_button else 0)) / (BOLD_FACTOR if bold else 1)
        return max(len(textwrap.wrap(text, max(int(room), 1), break_long_words=False)), 1)

    def _header_row(self, sheet, row, headers, first_col=0, filter_button=False):
        """Write a header row, tall enough for its longest header (constant-memory mode: height first)."""
        widths = self.widths.get(sheet.name, {})
        lines = max(
            (
                self._lines(text, widths.get(col, MIN_WIDTH), bold=True, filter_button=filter_button)
                for col, text in enumerate(headers, start=first_col)
            ),
            default=1,
        )
        if lines > 1:
            sheet.set_row(row, LINE_HEIGHT * lines)
        sheet.write_row(row, first_col, headers, self.formats["header"])

    def fit_columns(self):
        """Give every column the width fitted while its sheet was written."""
        for sheet in self.workbook.worksheets():
            for col, width in sorted(self.widths.get(sheet.name, {}).items()):
                sheet.set_column(col, col, round(width, 1))

    # ---- cells

    def _cell(self, sheet, row, col, value, kind):
        if _missing(value):
            return
        if kind in ("text", "class"):
            sheet.write_string(row, col, str(value))
        elif kind == "stage":
            sheet.write_string(row, col, self.data.stage_labels.get(value, str(value)))
        elif kind == "risk":
            sheet.write_string(row, col, self.data.risk_labels.get(value, str(value)))
        elif kind == "label":
            sheet.write_string(row, col, self.tr(value))
        elif kind == "basis":
            sheet.write_string(row, col, self.tr(LTV_BASIS_LABELS.get(value, str(value))))
        elif kind == "date":
            sheet.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), self.formats["date"])
        elif kind == "bool":
            # words, as the user reads them: Excel would show TRUE/FALSE, untranslated
            sheet.write_string(row, col, self.tr(YES if value else NO))
        elif kind == "percent":
            sheet.write_number(row, col, float(value) / 100, self.formats["percent"])
        else:
            sheet.write_number(row, col, float(value), self.formats.get(kind))

    def _table(self, sheet, first_row, specs, frame, filter_button=False, notes=None):
        """Header + typed rows (``frame``'s columns in ``specs`` order), columns fitted; returns the next free row.

        :param notes: ``{column: text}`` of notes (comments) on header cells
        """
        self._fit_table(sheet, specs, frame, filter_button)
        self._header_row(sheet, first_row, [self.tr(header) for header, _c, _k in specs], filter_button=filter_button)
        for col, text in sorted((notes or {}).items()):
            # constant-memory mode: a note goes on its row before the next row is written
            sheet.write_comment(first_row, col, text, {"x_scale": 2, "y_scale": 2})
        row = first_row
        for row, values in enumerate(frame.itertuples(index=False, name=None), start=first_row + 1):
            for col, (value, (_header, _column, kind)) in enumerate(zip(values, specs, strict=True)):
                self._cell(sheet, row, col, value, kind)
        return row + 1

    def _list_sheet(self, key, specs, frame, more=(), notes=None):
        """A sheet holding a table with a frozen header and an autofilter, then the ``(specs, frame)`` of ``more``.

        :param notes: ``{column: text}`` of notes on the first table's header cells
        """
        sheet = self._add_sheet(key)
        tables = [(specs, frame), *more]
        tables = [(specs, frame[[column for _h, column, _k in specs]]) for specs, frame in tables]
        for specs_, frame_ in tables[1:]:  # the first header's height must allow for the columns below it
            self._fit_table(sheet, specs_, frame_)
        end = self._table(sheet, 0, *tables[0], filter_button=True, notes=notes)
        sheet.freeze_panes(1, 1)
        sheet.autofilter(0, 0, max(end - 1, 1), len(specs) - 1)
        for specs_, frame_ in tables[1:]:
            end = self._table(sheet, end + 1, specs_, frame_)
        return sheet, end

    # ---- sheets

    def _prediction_note(self):
        """Why the Customers sheet's prediction columns are empty; empty when they are filled or absent."""
        shown = set(PREDICTION_COLUMNS) & set(self.customers_frame.columns)
        if not self.data.prediction_note or not shown:
            return ""
        return self.tr(
            _(
                "%(reason)s The prediction columns of the Customers sheet "
                "(probability still active to predicted CLV) are left empty."
            ),
            reason=self.data.prediction_note,
        )

    def summary(self):
        data = self.data
        sheet = self._add_sheet("summary")
        # the Summary on one sheet of paper: its charts stand beside the tables, and a page break
        # running through them would cut a chart in two
        sheet.fit_to_pages(1, 1)
        facts = [
            (_("Period"), f"{data.date_from.isoformat()} - {data.date_to.isoformat()}"),
            (_("Currency"), data.currency or self.tr(_("no currency given"))),
            (_("Margin"), data.margin_note),
        ]
        if self._prediction_note():
            facts.append((_("Prediction"), self._prediction_note()))
        totals = self.period_totals
        customers = self.customers_frame
        stages = customers["customer_stage"] if "customer_stage" in customers else pd.Series(dtype=object)
        kpis = [
            (_("Customers"), len(customers), "int"),
            (_("Active at period start (S)"), totals["customers_start"], "int"),
            (_("Active at period end (E)"), totals["customers_end"], "int"),
            (_("New customers (N)"), totals["customers_new"], "int"),
            (_("Lost customers"), totals["customers_lost"], "int"),
            (_("Reactivated customers"), totals["customers_reactivated"], "int"),
            (_("Kept (never lost in the period)"), totals["customers_retained"], "int"),
            (_("CRR = (E - N) / S"), totals["crr"], "percent"),
            (_("Strict retention = kept / S"), totals["strict_retention"], "percent"),
            (_("Revenue in period"), totals["revenue"], "money"),
            (_("At-risk customers now"), int((stages == "at_risk").sum()), "int"),
            (_("Lost customers now"), int((stages == "lost").sum()), "int"),
        ]
        if "is_key_account" in customers:
            kpis.append((_("Key accounts"), int(customers["is_key_account"].fillna(False).astype(bool).sum()), "int"))
        if data.lifetime_months is not None:
            kpis.append((_("Customer lifetime used (months)"), data.lifetime_months, "number"))
        # customers per stage, revenue per ABC class: the charts' sources
        counts = stages.value_counts()
        stage_labels = [data.stage_labels.get(stage, stage) for stage in STAGES]
        stage_counts = [int(counts.get(stage, 0)) for stage in STAGES]
        abc_counts, abc_revenue = [], []
        for abc in "ABC":
            selected = customers[customers["abc_class"] == abc] if "abc_class" in customers else customers.iloc[:0]
            abc_counts.append(len(selected))
            abc_revenue.append(float(selected["revenue_window"].sum()) if "revenue_window" in selected else 0.0)
        kpi_header = [self.tr(_("Indicator")), self.tr(_("Value"))]
        stage_header = [self.tr(_("Stage")), self.tr(_("Customers"))]
        abc_header = [self.tr(_("ABC class")), self.tr(_("Customers")), self.tr(_("Revenue in window"))]

        # widths first: in constant-memory mode a row's height is set before its cells
        labels = [self.tr(label) for label, _value in facts] + [self.tr(label) for label, _v, _k in kpis]
        self._fit_values(sheet, 0, "text", labels + stage_labels)
        for header in (kpi_header, stage_header, abc_header):
            for col, text in enumerate(header):
                self._fit(sheet, col, self._header_width(text))
        for _label, value, kind in kpis:
            self._fit_values(sheet, 1, kind, [value])
        self._fit_values(sheet, 1, "int", stage_counts + abc_counts)
        self._fit_values(sheet, 2, "money", abc_revenue)

        sheet.write_string(0, 0, self.tr(_("Customer base - %(company)s"), company=data.company), self.formats["title"])
        # a fact's text spans columns B to D, wrapped, clear of the charts from column E
        room = sum(self.widths[sheet.name].get(col, MIN_WIDTH) for col in (1, 2, 3))
        for row, (label, value) in enumerate(facts, start=1):
            lines = self._lines(value or "", room)
            if lines > 1:
                sheet.set_row(row, LINE_HEIGHT * lines)
            sheet.write_string(row, 0, self.tr(label), self.formats["note"])
            sheet.merge_range(row, 1, row, 3, value or "", self.formats["note"])
        self._header_row(sheet, 5, kpi_header)
        for row, (label, value, kind) in enumerate(kpis, start=6):
            sheet.write_string(row, 0, self.tr(label))
            self._cell(sheet, row, 1, value, kind)
        row = 6 + len(kpis) - 1
        stage_row = row + 2
        self._header_row(sheet, stage_row, stage_header)
        for offset, (label, count) in enumerate(zip(stage_labels, stage_counts, strict=True), start=1):
            sheet.write_string(stage_row + offset, 0, label)
            sheet.write_number(stage_row + offset, 1, count)
        abc_row = stage_row + len(STAGES) + 2
        self._header_row(sheet, abc_row, abc_header)
        for offset, (abc, count, revenue) in enumerate(zip("ABC", abc_counts, abc_revenue, strict=True), start=1):
            sheet.write_string(abc_row + offset, 0, abc)
            sheet.write_number(abc_row + offset, 1, count)
            sheet.write_number(abc_row + offset, 2, revenue, self.formats["money"])

        pie = self.workbook.add_chart({"type": "pie"})
        name = self.tr(_("Revenue by ABC class"))
        pie.add_series(
            {
                **self._series(name, "summary", abc_row + 1, abc_row + 3, 0, 2, "ABC", abc_revenue),
                "data_labels": {"percentage": True},
            }
        )
        pie.set_title({"name": name})
        sheet.insert_chart(1, SUMMARY_CHART_COLUMN, pie)
        bars = self.workbook.add_chart({"type": "bar"})
        bars.add_series(
            self._series(
                self.tr(_("Customers")),
                "summary",
                stage_row + 1,
                stage_row + len(STAGES),
                0,
                1,
                stage_labels,
                stage_counts,
            )
        )
        bars.set_title({"name": self.tr(_("Customers by stage"))})
        bars.set_legend({"none": True})
        bars.set_y_axis({"reverse": True})
        sheet.insert_chart(1 + CHART_ROWS, SUMMARY_CHART_COLUMN, bars)
        months = len(self.monthly)
        if months:
            line = self.workbook.add_chart({"type": "line"})
            crr_col = 1 + [column for _h, column, _k in FLOW_HEADERS].index("crr")
            line.add_series(
                {
                    **self._series(
                        self.tr(_("CRR")),
                        "retention",
                        1,
                        months,
                        0,
                        crr_col,
                        [self.period_label("month", start) for start in self.monthly["period_start"]],
                        self.monthly["crr"] / 100,
                    ),
                    "marker": {"type": "circle"},
                }
            )
            line.set_title({"name": self.tr(_("CRR by month"))})
            line.set_y_axis({"num_format": "0%"})
            line.set_legend({"none": True})
            sheet.insert_chart(1 + 2 * CHART_ROWS, SUMMARY_CHART_COLUMN, line)
        # what prints: the tables and every chart whole (a chart beyond the last cell written may be left out)
        charts = 3 if months else 2
        sheet.print_area(0, 0, max(abc_row + 3, charts * CHART_ROWS), SUMMARY_CHART_COLUMN + CHART_COLUMNS - 1)

    def customers(self):
        specs = self._columns()
        note = self._prediction_note()
        columns = [column for _header, column, _kind in specs]
        first = next((columns.index(column) for column in columns if column in PREDICTION_COLUMNS), None)
        self._list_sheet("customers", specs, self.customers_frame, notes={first: note} if note else None)

    def matrix(self):
        sheet = self._add_sheet("matrix")
        customers = self.customers_frame
        classes = "ABC", "XYZ"
        if {"abc_class", "xyz_class"} <= set(customers.columns):
            grouped = customers.groupby(["abc_class", "xyz_class"])
            counts = grouped.size()
            revenue = grouped["revenue_window"].sum() if "revenue_window" in customers else counts * 0.0
        else:
            counts = revenue = pd.Series(dtype=float)
        header = ["ABC \\ XYZ", *classes[1], self.tr(_("Total"))]
        matrices = []
        for title, values, kind in ((_("Customers"), counts, "int"), (_("Revenue in window"), revenue, "money")):
            # rows A, B, C and the total, each with its X, Y, Z cells and their total
            cells = [[float(values.get((abc, xyz), 0)) for xyz in classes[1]] for abc in classes[0]]
            cells.append([sum(column) for column in zip(*cells, strict=True)])
            matrices.append((title, [[*line, sum(line)] for line in cells], kind))
            for col in range(1, 5):
                self._fit_values(sheet, col, kind, [line[col - 1] for line in matrices[-1][1]])
        for col, text in enumerate(header):
            self._fit(sheet, col, self._header_width(text))
        self._fit(sheet, 0, text_width(self.tr(_("Total"))) * BOLD_FACTOR + CELL_PADDING)
        row = 0
        for title, lines, kind in matrices:
            sheet.write_string(
                row,
                0,
                self.tr(_("%(what)s by ABC class (rows) and XYZ class (columns)"), what=self.tr(title)),
                self.formats["bold"],
            )
            self._header_row(sheet, row + 1, header)
            for offset, (label, line) in enumerate(zip([*classes[0], self.tr(_("Total"))], lines, strict=True)):
                sheet.write_string(row + 2 + offset, 0, label, self.formats["bold"])
                for col, value in enumerate(line, start=1):
                    self._cell(sheet, row + 2 + offset, col, value, kind)
            # more customers is neither good nor bad (class A holds few by design): a plain blue scale for
            # the counts; red to green for revenue, where little is the signal
            scale = (
                {"type": "2_color_scale", "min_color": "#FFFFFF", "max_color": "#5B9BD5"}
                if kind == "int"
                else {"type": "3_color_scale", "min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"}
            )
            sheet.conditional_format(row + 2, 1, row + 4, 3, scale)
            row += 8
        sheet.write_string(row, 0, self.tr(_("Customers without a class have no revenue or no order in the window.")))

    def lifecycle(self):
        data = self.data
        sheet = self._add_sheet("lifecycle")
        customers = self.customers_frame
        stages = customers["customer_stage"] if "customer_stage" in customers else pd.Series(dtype=object)
        counts = stages.value_counts()
        total = max(int(counts.sum()), 1)
        specs = [(_("Stage"), None, "text"), (_("Customers"), None, "int"), (_("Share"), None, "ratio")]
        rows = [
            (data.stage_labels.get(stage, stage), int(counts.get(stage, 0)), counts.get(stage, 0) / total)
            for stage in STAGES
        ]
        # the stage changes: customers from the stage of each row to the stage of each column
        transitions = data.transitions.assign(from_stage=data.transitions["from_stage"].astype(object).fillna(""))
        table = (
            transitions.pivot_table(
                index="from_stage", columns="to_stage", values="customers", aggfunc="sum", fill_value=0
            )
            if len(transitions)
            else pd.DataFrame()
        )
        sources = [None, *STAGES]  # None: not yet a customer
        changes = []
        for source in sources:
            label = self.tr(NONE_LABEL) if source is None else data.stage_labels.get(source, source)
            key = "" if source is None else source
            values = [
                int(table.at[key, target]) if key in table.index and target in table.columns else 0 for target in STAGES
            ]
            changes.append((label, [*values, sum(values)]))
        header = [self.tr(_("From \\ To")), *[data.stage_labels.get(s, s) for s in STAGES], self.tr(_("Total"))]
        for col, text in enumerate(header):
            self._fit(sheet, col, self._header_width(text))
        self._fit_values(sheet, 0, "text", [label for label, _values in changes])
        for col in range(1, len(header)):
            self._fit_values(sheet, col, "int", [values[col - 1] for _label, values in changes])

        row = self._table(sheet, 0, specs, pd.DataFrame(rows))
        funnel = self.workbook.add_chart({"type": "bar"})
        funnel.add_series(
            self._series(
                self.tr(_("Customers")),
                "lifecycle",
                1,
                len(STAGES),
                0,
                1,
                [label for label, _count, _share in rows],
                [count for _label, count, _share in rows],
            )
        )
        funnel.set_title({"name": self.tr(_("Lifecycle funnel"))})
        funnel.set_legend({"none": True})
        funnel.set_y_axis({"reverse": True})
        sheet.insert_chart(0, 4, funnel)
        row = max(row + 1, CHART_ROWS + 1)
        sheet.write_string(row, 0, self.tr(_("Stage changes in the period")), self.formats["bold"])
        if data.transitions_note:
            sheet.write_string(row + 1, 0, data.transitions_note)
        row += 2
        self._header_row(sheet, row, header)
        for offset, (label, values) in enumerate(changes, start=1):
            sheet.write_string(row + offset, 0, label, self.formats["bold"])
            for col, value in enumerate(values, start=1):
                sheet.write_number(row + offset, col, value)
        sheet.conditional_format(
            row + 1,
            1,
            row + len(sources),
            len(STAGES),
            {"type": "2_color_scale", "min_color": "#FFFFFF", "max_color": "#5B9BD5"},
        )

    def retention(self):
        """Flow by month (the summary's CRR chart reads it), then by quarter and year when given."""
        tables = []
        for kind, header, name in PERIOD_TABLES:
            flow = getattr(self.data, name)
            if flow is None:
                continue
            table = self.monthly if kind == "month" else self._by_period(flow)
            labels = [self.period_label(kind, start) for start in table["period_start"]]
            tables.append(([(header, "period", "text"), *FLOW_HEADERS], table.assign(period=labels)))
        (specs, monthly), *others = tables
        self._list_sheet("retention", specs, monthly, more=others)

    def salespeople(self):
        customers = self.customers_frame
        people = customers.assign(
            salesperson=customers["salesperson"].astype(object).fillna(self.tr(NONE_LABEL))
            if "salesperson" in customers
            else self.tr(NONE_LABEL)
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
        flow = self.data.period_flow
        columns = [column for _header, column, kind in FLOW_HEADERS if kind != "percent"]
        if len(flow):
            flow = flow.assign(salesperson=flow["salesperson"].astype(object).fillna(self.tr(NONE_LABEL)))
            per_person = retention_rates(flow.groupby("salesperson")[columns].sum())
        else:
            per_person = pd.DataFrame(columns=[*columns, "crr", "strict_retention"], dtype=float)
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
        self._list_sheet("salespeople", specs, table)

    def key_accounts(self):
        customers = self.customers_frame
        if "is_key_account" in customers:
            keys = customers[customers["is_key_account"].fillna(False).astype(bool)]
        else:
            keys = customers.iloc[:0]
        if "revenue_share" in keys:
            keys = keys.sort_values("revenue_share", ascending=False)
        wanted = (
            "name",
            "company",
            "revenue_share",
            "dependency_risk",
            "revenue_window",
            "key_account_manager",
            "salesperson",
        )
        specs = [spec for column in wanted for spec in CUSTOMER_COLUMNS if spec[1] == column and column in keys.columns]
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
            coverage=keys["coverage"].map(lambda value: COVERAGE_LABELS.get(value, value)),
        )
        specs += PLAN_COLUMNS
        sheet, _end = self._list_sheet("key_accounts", specs, keys)
        if "dependency_risk" in keys.columns:
            col = [column for _h, column, _k in specs].index("dependency_risk")
            for level, color in (("critical", "#F8696B"), ("high", "#FFC7CE"), ("elevated", "#FFEB9C")):
                sheet.conditional_format(
                    1,
                    col,
                    max(len(keys), 1),
                    col,
                    {
                        "type": "cell",
                        "criteria": "==",
                        "value": f'"{self.data.risk_labels.get(level, level)}"',
                        "format": self.workbook.add_format({"bg_color": color}),
                    },
                )

    def key_account_managers(self):
        customers = self.customers_frame
        if "key_account_manager" in customers:
            # the limit counts key accounts only, as the partner form and the key account plans do:
            # a manager may follow other customers of a key account's group without using it up
            if "is_key_account" in customers:
                customers = customers[customers["is_key_account"].astype("boolean").fillna(False).to_numpy(bool)]
            held = customers.groupby("key_account_manager").size().sort_values(ascending=False)
        else:
            held = pd.Series(dtype=int)
        limit = self.data.max_key_accounts
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
        self._list_sheet("managers", specs, table)

    def lost_and_at_risk(self):
        customers = self.customers_frame
        if "customer_stage" in customers:
            slipping = customers[customers["customer_stage"].isin(["lost", "at_risk"])]
        else:
            slipping = customers.iloc[:0]
        wanted = (
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
        specs = [
            spec for column in wanted for spec in CUSTOMER_COLUMNS if spec[1] == column and column in slipping.columns
        ]
        self._list_sheet("slipping", specs, slipping)

    def feedback(self):
        """The feedback answers, then per salesperson: answers, satisfaction, NPS (% promoters - % detractors)
        and complaints."""
        answers = self.data.feedback
        if "date" in answers:
            answers = answers.sort_values("date", ascending=False, kind="stable")
        specs = [spec for spec in FEEDBACK_COLUMNS if spec[1] in answers.columns]
        people = answers.assign(
            salesperson=answers["salesperson"].astype(object).fillna(self.tr(NONE_LABEL))
            if "salesperson" in answers
            else self.tr(NONE_LABEL)
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
        summary_specs = [
            (_("Salesperson"), "salesperson", "text"),
            (_("Answers"), "answers", "int"),
            (_("Satisfaction (1-5)"), "satisfaction", "number"),
            (_("NPS"), "nps", "number"),
            (_("Complaints"), "complaints", "int"),
        ]
        self._list_sheet("feedback", specs, answers, more=[(summary_specs, summary)])

    def contact_coverage(self):
        """Customers under the service policy by rule and by salesperson: on time, overdue, never
        contacted (see :func:`.contacts.coverage`), then the overdue customers, most late first.
        Left out when the customers carry no service rule (a CSV of orders has no contacts)."""
        customers = self.customers_frame
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
        ruled["salesperson"] = salesperson.astype(object).where(salesperson.notna(), self.tr(NONE_LABEL))

        def summary(by):
            table = ruled.groupby(by, sort=True)[["on_time", "overdue", "never"]].sum().astype(int)
            table.insert(0, "customers", ruled.groupby(by, sort=True).size())
            table["share"] = table["on_time"] * 100.0 / table["customers"]
            return table.reset_index()

        counts = [
            (_("Customers"), "customers", "int"),
            (_("On time"), "on_time", "int"),
            (_("Overdue"), "overdue", "int"),
            (_("Never contacted"), "never", "int"),
            (_("Share on time"), "share", "percent"),
        ]
        late = ruled[ruled["overdue"]].sort_values("contact_days_overdue", ascending=False, kind="stable")
        wanted = (
            "name",
            "salesperson",
            "contact_rule",
            "last_contact_date",
            "next_contact_date",
            "contact_days_overdue",
        )
        late_specs = [spec for column in wanted for spec in CUSTOMER_COLUMNS if spec[1] == column and column in late]
        self._list_sheet(
            "coverage",
            [(_("Service rule"), "contact_rule", "text"), *counts],
            summary("contact_rule"),
            more=[([(_("Salesperson"), "salesperson", "text"), *counts], summary("salesperson")), (late_specs, late)],
        )

    def forecast(self):
        """The holdout check: the models fitted up to the calibration date against the purchases after it."""
        forecast = self.data.forecast
        sheet = self._add_sheet("forecast")
        sheet.write_string(0, 0, self.tr(_("Forecast check")), self.formats["title"])
        lines = [
            self.tr(
                _(
                    "Models fitted on the orders up to %(calibration)s, checked on the purchases after it, "
                    "up to %(end)s."
                ),
                calibration=forecast["calibration_end"].isoformat(),
                end=forecast["holdout_end"].isoformat(),
            )
        ]
        names = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "gamma_gamma": "Gamma-Gamma"}
        for model, fit in forecast.get("fits", {}).items():
            if fit.get("fitted") is False:
                lines.append(f"{names.get(model, model)}: {self.tr(_('no fit'))}: {fit.get('reason', '')}")
            else:
                params = ", ".join(
                    f"{name} = {value:.4g}" for name, value in fit.items() if name not in ("ll", "customers")
                )
                lines.append(f"{names.get(model, model)}: {params}; log-likelihood {fit['ll']:.2f}")
        for row, line in enumerate(lines, start=1):
            sheet.write_string(row, 0, line)
        table = forecast["table"].reset_index()
        self._table(sheet, len(lines) + 2, FORECAST_HEADERS, table[[column for _h, column, _k in FORECAST_HEADERS]])
