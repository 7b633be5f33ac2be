"""Excel workbook of a customer base (xlsxwriter): frames in, bytes out.

Sheets, one module per group: Summary (KPIs and CRR of the period, charts:
``summary``), Customers (every metric) and Lost and at risk (``customers``),
ABC-XYZ (matrix with colour scales: ``segments``), Lifecycle (funnel and
stage changes: ``lifecycle``), Retention (CRR by month, and by quarter and
year when given: ``flow``), Salespeople (portfolios: ``people``), Key
accounts and Key account managers (``key_accounts``), Feedback
(``feedback``), Contact coverage (``contacts``), Forecast (``forecast``).
What a workbook shows is a :class:`WorkbookData` (``data``); ``writer``
writes typed cells and tables, ``layout`` sizes and prints them.

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

import io

import xlsxwriter

from ..temperature import DETRACTOR_UP_TO, PROMOTER_FROM
from ..vocabulary import DEPENDENCY_RISK_LABELS as RISK_LABELS
from ..vocabulary import KEY_ACCOUNT_COVERAGE_LABELS as COVERAGE_LABELS
from ..vocabulary import LTV_BASIS_LABELS, RFM_SEGMENT_LABELS
from .contacts import write_contact_coverage
from .customers import CUSTOMER_COLUMNS, PREDICTION_COLUMNS, write_customers, write_lost_and_at_risk
from .data import DEFAULT_MONTHS, SHEETS, WorkbookData, default_start
from .feedback import FEEDBACK_COLUMNS, write_feedback
from .flow import FLOW_HEADERS, MONTH_NAMES, PERIOD_TABLES, write_retention
from .forecast import FORECAST_HEADERS, write_forecast
from .key_accounts import PLAN_COLUMNS, write_key_account_managers, write_key_accounts
from .layout import text_width
from .lifecycle import write_lifecycle
from .people import write_salespeople
from .segments import write_matrix
from .summary import write_summary
from .writer import NO, NONE_LABEL, YES, Writer

__all__ = [
    "COVERAGE_LABELS",
    "CUSTOMER_COLUMNS",
    "DEFAULT_MONTHS",
    "DETRACTOR_UP_TO",
    "FEEDBACK_COLUMNS",
    "FLOW_HEADERS",
    "FORECAST_HEADERS",
    "LTV_BASIS_LABELS",
    "MONTH_NAMES",
    "NO",
    "NONE_LABEL",
    "PERIOD_TABLES",
    "PLAN_COLUMNS",
    "PREDICTION_COLUMNS",
    "PROMOTER_FROM",
    "RFM_SEGMENT_LABELS",
    "RISK_LABELS",
    "SHEETS",
    "YES",
    "WorkbookData",
    "build_workbook",
    "default_start",
    "text_width",
]


def build_workbook(data, tmpdir=None):
    """Bytes of the workbook of a :class:`WorkbookData`."""
    buffer = io.BytesIO()
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    if tmpdir:
        options["tmpdir"] = tmpdir
    workbook = xlsxwriter.Workbook(buffer, options)
    writer = Writer(workbook, data)
    write_summary(writer)
    write_customers(writer)
    write_matrix(writer)
    write_lifecycle(writer)
    write_retention(writer)
    write_salespeople(writer)
    write_key_accounts(writer)
    write_key_account_managers(writer)
    write_lost_and_at_risk(writer)
    if data.feedback is not None:
        write_feedback(writer)
    write_contact_coverage(writer)
    if data.forecast is not None:
        write_forecast(writer)
    writer.fit_columns()
    workbook.close()
    return buffer.getvalue()
