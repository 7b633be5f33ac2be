"""Customer base analytics: lifecycle stage, ABC/XYZ segments, key accounts, LTV.

Framework independent (pandas, no Odoo): the Odoo addon feeds it rows read in
SQL and writes its results back; the command line feeds it a CSV file.
"""

from .engine import METRIC_COLUMNS, RANK_COLUMNS, CustomerBase, customer_metrics
from .lifecycle import STAGES
from .settings import Settings

__all__ = ["METRIC_COLUMNS", "RANK_COLUMNS", "STAGES", "CustomerBase", "Settings", "customer_metrics"]
