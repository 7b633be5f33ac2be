"""Customer base over time: one row per company, period, sales team and salesperson.

The figures (customers active at the start and end of the period, new,
lost, reactivated and kept customers, revenue) and the rates built on them
(CRR = (E - N) / S x 100, strict retention = kept / S x 100, kept meaning
active at the start and never lost during the period) are defined in
:mod:`..analytics.flow`. Rows are written only by :meth:`_rebuild`, from the
confirmed orders; rebuilding a span replaces its rows, so rebuilding twice
gives the same rows.
"""

import datetime
import json
import logging

import babel.dates
import pandas as pd

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.misc import babel_locale_parse

from ..analytics.flow import PERIOD_KINDS, flow_history, periods, retention_rates

_logger = logging.getLogger(__name__)

EPOCH = datetime.date(1970, 1, 1)  # day 0 of the orders' ``day`` column

LOCK_NAMESPACE = 418_203  # pg advisory lock namespace of the history rebuild (per company)
# Aggregates of a group of rows (a pivot cell, a total, a graph point) that
# are not plain sums, see _read_group_select. Counts of customers at a date
# are taken at the group's first period (S) and last period (E); events (new,
# lost, reactivated), orders and revenue add up.
STATES = {"customers_start:sum": "first", "customers_end:sum": "last"}
RATES = ("crr", "retention_rate")
# names of periods (LDML patterns): "Dec 2025", "Q1 2026", "2026"
PERIOD_NAME_FORMATS = {"month": "MMM yyyy", "quarter": "QQQ yyyy", "year": "yyyy"}


class SaleCustomerBaseHistory(models.Model):
    _name = "sale.customer.base.history"
    _description = "Customer Base History"
    _order = "date desc, period_type, company_id, team_id, user_id"
    _rec_name = "period_name"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    period_type = fields.Selection(
        [("month", "Month"), ("quarter", "Quarter"), ("year", "Year")], required=True, readonly=True
    )
    period_name = fields.Char(
        "Period",
        readonly=True,
        translate=True,
        help="The month, quarter or year, as in Dec 2025, Q1 2026, 2026. Sorted in time in reports.",
    )
    date = fields.Date("Period Start", required=True, readonly=True, index=True, help="First day of the period.")
    date_end = fields.Date(
        "Period End", readonly=True, help="Last day of the period, or the day it was computed while still running."
    )
    is_closed = fields.Boolean(
        "Closed", readonly=True, help="The period is over. A period in progress is refreshed with new orders."
    )
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    user_id = fields.Many2one(
        "res.users",
        "Salesperson",
        readonly=True,
        help="Salesperson of the customer's latest order up to the period end.",
    )
    customers_start = fields.Integer(
        "Active at Start", readonly=True, help="Customers with an order in the lost threshold before the period (S)."
    )
    customers_end = fields.Integer(
        "Active at End", readonly=True, help="Customers with an order in the lost threshold at the period end (E)."
    )
    customers_new = fields.Integer(
        "New Customers", readonly=True, help="Customers whose first order is in the period (N)."
    )
    customers_lost = fields.Integer(
        "Lost Customers", readonly=True, help="Customers whose silence passed the lost threshold in the period."
    )
    customers_reactivated = fields.Integer(
        "Reactivated Customers", readonly=True, help="Customers who ordered again after being lost."
    )
    customers_retained = fields.Integer(
        "Kept Customers",
        readonly=True,
        help="Customers active at the start and never lost during the period. "
        "A customer lost and won back within the period is not kept.",
    )
    order_count = fields.Integer("Orders", readonly=True)
    revenue = fields.Monetary(readonly=True, help="Untaxed amount of the period's confirmed orders.")
    crr = fields.Float(
        "CRR (%)",
        readonly=True,
        aggregator="sum",  # computed from the sums, see _read_group_select
        help="Customer retention rate: (active at end - new) / active at start x 100. "
        "Reactivated customers raise it, even above 100 %.",
    )
    retention_rate = fields.Float(
        "Strict Retention (%)",
        readonly=True,
        aggregator="sum",  # computed from the sums, see _read_group_select
        help="Kept customers (active at the start and never lost during the period) / active at start x 100: "
        "neither reactivations nor customers lost and won back within the period count.",
    )

    def _read_group_select(self, aggregate_spec, query):
        """Figures of a group of rows as the report means them, not as sums.

        S is the S of the group's first period and E the E of its last one
        (a base of 66 customers over twelve months has S 66, not 488; rows of
        that period, one per sales team and salesperson, add up); kept
        customers are those of one period only (who was never lost over a span
        cannot be told from its periods' rows), empty for several. Rates come
        from those figures, CRR = (E - N) / S x 100, empty where S is 0.
        """
        if aggregate_spec in STATES:
            return self._read_group_state(aggregate_spec.split(":")[0], STATES[aggregate_spec], query)
        if aggregate_spec == "customers_retained:sum":
            return self._read_group_kept(query)
        if aggregate_spec == "crr:sum":
            top = SQL(
                "%s - %s",
                self._read_group_select("customers_end:sum", query),
                self._read_group_select("customers_new:sum", query),
            )
        elif aggregate_spec == "retention_rate:sum":
            top = self._read_group_kept(query)
        else:
            return super()._read_group_select(aggregate_spec, query)
        start = self._read_group_select("customers_start:sum", query)
        return SQL("(%s) * 100.0 / NULLIF(%s, 0)", top, start)

    def _read_group_period_key(self, end, query):
        """Text that sorts a row's period in time: its first (or last) day, then its kind (month < quarter < year)."""
        day = self._field_to_sql(self._table, "date_end" if end else "date", query)
        if end:
            day = SQL("COALESCE(%s, %s)", day, self._field_to_sql(self._table, "date", query))
        return SQL("(%s::text || %s)", day, self._field_to_sql(self._table, "period_type", query))

    def _read_group_state(self, fname, which, query):
        """Sum of ``fname`` over the rows of the group's first (or last) period, in one grouped query."""
        key = self._read_group_period_key(which == "last", query)
        # the aggregates inside the subquery are the outer query's: they run
        # over the group's rows, the subquery keeps those of one period
        return SQL(
            "(SELECT SUM(r.value) FROM unnest(ARRAY_AGG(%(key)s), ARRAY_AGG(%(value)s)) AS r(period, value)"
            " WHERE r.period = %(pick)s(%(key)s))",
            key=key,
            value=self._field_to_sql(self._table, fname, query),
            pick=SQL("MAX") if which == "last" else SQL("MIN"),
        )

    def _read_group_kept(self, query):
        key = self._read_group_period_key(False, query)
        kept = self._field_to_sql(self._table, "customers_retained", query)
        return SQL("CASE WHEN COUNT(DISTINCT %s) = 1 THEN SUM(%s) END", key, kept)

    def _read_group_orderby(self, order, groupby_terms, query):
        # period names sort in time (by their first day), not alphabetically
        if "period_name" in groupby_terms:
            first_day = SQL("MIN(%s)", self._field_to_sql(self._table, "date", query))
            groupby_terms = {**groupby_terms, "period_name": first_day}
        return super()._read_group_orderby(order, groupby_terms, query)

    @api.model
    def _web_read_group(self, domain, fields, groupby, limit=None, offset=0, orderby=False, lazy=True):
        groups = super()._web_read_group(domain, fields, groupby, limit, offset, orderby, lazy)
        if not lazy:
            # the graph view, the one caller that does not group lazily, draws
            # False as 0 and leaves None out: a rate without customers at the
            # start is no point, not 0 %. The pivot (read_group) and grouped
            # lists show False as an empty cell.
            for group in groups:
                for fname in RATES:
                    if group.get(fname) is False:
                        group[fname] = None
        return groups

    def init(self):
        # rows written before periods had names (an upgrade), or before a language was installed, get theirs
        self._name_periods()

    # ---- actions
    @api.model
    def action_open_retention(self):
        """Open the CRR report after bringing the periods in progress up to date."""
        # the refresh runs as superuser: only for those who may read the history
        self.check_access("read")
        self._refresh_open_periods(self.env.companies)
        return self.env["ir.actions.act_window"]._for_xml_id("sale_customer_base.sale_customer_base_history_action")

    @api.model
    def action_open_overview(self):
        """Open the managers' overview (its CRR by month included) after bringing the periods in progress up to date."""
        # the refresh runs as superuser: only for the managers the overview is for
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(self.env._("The customer base overview is for sales managers."))
        self._refresh_open_periods(self.env.companies)
        return self.env["ir.actions.act_window"]._for_xml_id("sale_customer_base.sale_customer_base_overview_action")

    # ---- business
    def _refresh_open_periods(self, companies, force=False, orders=None):
        """Rebuild the periods in progress of ``companies`` (all of a company's history the first time).

        Without ``force``, only where orders changed since the last build:
        opening the report costs nothing when nothing changed. ``orders`` (the
        engine's frame of every confirmed order of the one company given) saves
        reading them again.
        """
        today = fields.Date.context_today(self)
        for company in companies:
            built = self.sudo().search_fetch(
                [("company_id", "=", company.id)], ["write_date"], order="write_date desc", limit=1
            )
            if built and not force and not self._orders_changed_since(company, built.write_date):
                continue
            # from yesterday's month: on the 1st, last month gets its final figures
            start = today - datetime.timedelta(days=1) if built else None
            self.sudo()._rebuild(company, start, wait=False, orders=orders)

    def _orders_changed_since(self, company, moment):
        self.env["sale.order"].flush_model(["write_date", "company_id"])
        query = SQL(
            # >=: an order written in the transaction that built the history has the same timestamp
            "SELECT 1 FROM sale_order WHERE company_id = %s AND write_date >= %s LIMIT 1",
            company.id,
            moment,
        )
        return bool(self.env.execute_query(query))

    def _rebuild(self, company, date_from=None, *, wait=True, orders=None):
        """Replace the rows of ``company`` from the periods holding ``date_from`` up to today.

        ``date_from`` None rebuilds from the first order. With ``wait`` False,
        a rebuild running elsewhere makes this one a no-op instead of an error.
        ``orders``: every confirmed order of the company up to today, as the
        engine read them. Returns the number of rows written.
        """
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", LOCK_NAMESPACE, company.id))
        if not self.env.cr.fetchone()[0]:
            if not wait:
                return 0
            raise UserError(
                self.env._(
                    "The customer base history of %(company)s is being rebuilt right now. Try again in a few minutes.",
                    company=company.name,
                )
            )
        as_of = fields.Date.context_today(self)
        if date_from and date_from > as_of:
            raise UserError(self.env._("The history cannot be rebuilt from a date in the future."))
        lost_days = company.customer_base_lost_days
        if orders is None:
            first_order = self._first_order_date(company)
        else:
            first_order = EPOCH + datetime.timedelta(days=int(orders["day"].min())) if len(orders) else None
        if date_from is None or (first_order and date_from < first_order):
            date_from = first_order or as_of
        if orders is None:
            orders = self._flow_orders(company, date_from, as_of, lost_days)
        else:
            orders = self._deciding_orders(orders, self._cutoff(date_from, as_of, lost_days))
        flow = flow_history(orders, date_from, as_of, lost_days)
        starts = {kind: periods(kind, date_from, as_of)[0][0] for kind in PERIOD_KINDS}
        self._delete_from(company, starts)
        self._insert_rows(company, flow)
        _logger.info("Customer base history of %s rebuilt from %s: %s rows", company.name, date_from, len(flow))
        return len(flow)

    def _first_order_date(self, company):
        self.env["sale.order"].flush_model(["state", "company_id", "date_order"])
        query = SQL("SELECT MIN(date_order)::date FROM sale_order WHERE state = 'sale' AND company_id = %s", company.id)
        return self.env.execute_query(query)[0][0]

    def _flow_orders(self, company, date_from, as_of, lost_days, order_query=None, partner_query=None):
        """Orders that decide the flow from ``date_from`` on, as a DataFrame.

        Orders from ``lost_days`` before the earliest period start, plus each
        customer's latest order before that: enough to tell who is active,
        new or back, without reading the whole order history. ``order_query``
        and ``partner_query`` (``Query`` objects) narrow the orders to those a
        user may read and to chosen customers.
        """
        cutoff = self._cutoff(date_from, as_of, lost_days)
        until = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min)
        Engine = self.env["sale.customer.base.engine"]
        confirmed = Engine._confirmed_orders_sql(company, until=until, orders=order_query, partners=partner_query)
        query = SQL(
            """
            WITH orders AS (SELECT partner_id, order_id, day, revenue, team_id, user_id FROM (%(confirmed)s) AS o)
            SELECT * FROM orders WHERE day >= %(cutoff)s - DATE '1970-01-01'
            UNION ALL
            (SELECT DISTINCT ON (partner_id) *
               FROM orders
              WHERE day < %(cutoff)s - DATE '1970-01-01'
              ORDER BY partner_id, day DESC, order_id DESC)
            """,
            confirmed=confirmed,
            cutoff=cutoff,
        )
        return Engine._frame(query)

    def _cutoff(self, date_from, as_of, lost_days):
        """The day before which an order only tells whether its customer is active: ``lost_days``
        before the earliest period start."""
        earliest = min(periods(kind, date_from, as_of)[0][0] for kind in PERIOD_KINDS)
        return earliest - datetime.timedelta(days=lost_days + 1)

    def _deciding_orders(self, orders, cutoff):
        """The rows of the engine's ``orders`` that ``_flow_orders`` would read for ``cutoff``."""
        cutoff_day = (cutoff - EPOCH).days
        recent = orders["day"] >= cutoff_day
        older = (
            orders[~recent].sort_values(["partner_id", "day", "order_id"]).drop_duplicates("partner_id", keep="last")
        )
        columns = ["partner_id", "order_id", "day", "revenue", "team_id", "user_id"]
        return pd.concat([orders.loc[recent, columns], older[columns]], ignore_index=True)

    def _delete_from(self, company, starts):
        self.flush_model()
        conditions = SQL(" OR ").join(
            SQL("(period_type = %s AND date >= %s)", kind, start) for kind, start in starts.items()
        )
        self.env.cr.execute(
            SQL("DELETE FROM sale_customer_base_history WHERE company_id = %s AND (%s)", company.id, conditions)
        )

    def _period_names(self, periods, lang_codes=None):
        """Name of each ``(period_type, first day)`` in ``lang_codes`` (default: every installed language),
        as stored by a translated field.

        Babel formats them from the language code alone: a language being activated is named before
        Odoo's caches know it is active.
        """
        if lang_codes is None:
            lang_codes = [code for code, _name in self.env["res.lang"].get_installed()]
        locales = {lang: babel_locale_parse(lang) for lang in sorted({*lang_codes, "en_US"})}
        return {
            (kind, day): {
                lang: babel.dates.format_date(day, format=PERIOD_NAME_FORMATS[kind], locale=locale)
                for lang, locale in locales.items()
            }
            for kind, day in set(periods)
        }

    def _name_periods(self, lang_codes=None):
        """Name the periods in ``lang_codes`` (default: every installed language) where a name is missing.

        The history keeps a name per installed language: a language installed after the history was
        built (see ``res.lang``) gets its names here, so that its readers see their own month names
        without a rebuild.
        """
        if lang_codes is None:
            lang_codes = [code for code, _name in self.env["res.lang"].get_installed()]
        langs = sorted({*lang_codes, "en_US"})
        table = SQL.identifier(self._table)
        self.flush_model(["period_name"])
        missing = self.env.execute_query(
            SQL(
                "SELECT DISTINCT period_type, date FROM %s WHERE period_name IS NULL OR NOT period_name ?& %s",
                table,
                langs,
            )
        )
        if not missing:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE %(table)s AS h
                   SET period_name = COALESCE(h.period_name, '{}'::jsonb) || v.period_name
                  FROM jsonb_to_recordset(%(payload)s::jsonb)
                       AS v(period_type varchar, date date, period_name jsonb)
                 WHERE h.period_type = v.period_type AND h.date = v.date
                   AND (h.period_name IS NULL OR NOT h.period_name ?& %(langs)s)
                """,
                table=table,
                langs=langs,
                payload=json.dumps(
                    [
                        {"period_type": kind, "date": str(day), "period_name": names}
                        for (kind, day), names in self._period_names(missing, langs).items()
                    ]
                ),
            )
        )
        self.invalidate_model(["period_name"])

    def _insert_rows(self, company, flow):
        if flow.empty:
            self.invalidate_model()
            return
        frame = retention_rates(flow).rename(columns={"strict_retention": "retention_rate"})
        keys = list(zip(frame["period_type"], frame["period_start"].dt.date, strict=True))
        names = self._period_names(keys)
        frame["period_name"] = [names[key] for key in keys]
        for column in ("period_start", "period_end"):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
        for column in ("team_id", "user_id"):
            frame[column] = frame[column].astype("Int64")
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO sale_customer_base_history
                       (company_id, period_type, period_name, date, date_end, is_closed, team_id, user_id,
                        customers_start, customers_end, customers_new, customers_lost,
                        customers_reactivated, customers_retained, order_count, revenue, crr, retention_rate,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(company)s, v.period_type, v.period_name, v.period_start, v.period_end, v.closed,
                       v.team_id, v.user_id,
                       v.customers_start, v.customers_end, v.customers_new, v.customers_lost,
                       v.customers_reactivated, v.customers_retained, v.order_count, v.revenue, v.crr,
                       v.retention_rate,
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM jsonb_to_recordset(%(payload)s::jsonb) AS v(
                       period_type varchar, period_name jsonb, period_start date, period_end date, closed bool,
                       team_id int4, user_id int4, customers_start int4, customers_end int4,
                       customers_new int4, customers_lost int4, customers_reactivated int4,
                       customers_retained int4, order_count int4, revenue numeric, crr float8,
                       retention_rate float8)
                """,
                company=company.id,
                uid=self.env.uid,
                payload=frame.to_json(orient="records"),
            )
        )
        self.invalidate_model()


class ResLang(models.Model):
    # here rather than in a file of its own: its only job is naming the history's periods
    _inherit = "res.lang"

    @api.model_create_multi
    def create(self, vals_list):
        langs = super().create(vals_list)
        if active := langs.filtered("active"):
            self.env["sale.customer.base.history"].sudo()._name_periods(active.mapped("code"))
        return langs

    def write(self, vals):
        res = super().write(vals)
        if vals.get("active"):
            # a language activated (in the settings, or by _activate_lang) names the periods built before it
            self.env["sale.customer.base.history"].sudo()._name_periods(self.mapped("code"))
        return res
