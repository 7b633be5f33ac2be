"""The customer base engine: one way through the data.

The confirmed orders of a company (amounts in company currency, see
``_confirmed_orders_sql``) are read once with ``COPY``; :mod:`..analytics`
computes every customer's values; the values are written back set-based into
``sale.customer.metrics`` (one row per company and customer): COPY into a temporary
table, then one ``INSERT ... ON CONFLICT DO UPDATE`` of the rows whose values changed,
one ``INSERT`` of the stage changes.
The same orders feed the customer base history of the periods in progress.

Partners show the rows, their inputs and the user's actions; this model
holds the path read -> analytics -> write, for the full recompute of a
company and for the refresh of a few customers after an order.
"""

import io
import logging
import time
from collections import defaultdict
from contextlib import contextmanager

import numpy as np
import pandas as pd
from psycopg2 import errors
from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.modules import module
from odoo.tools import SQL, mute_logger

from ..analytics import customer_metrics
from ..analytics.prediction import stored_params
from ..analytics.rfm import RFM_COLUMNS
from .sale_customer_contact_engine import CONTACT_FIELDS
from .sale_order import OPEN_QUOTATION_STATES, ORDER_MARGIN, ORDER_REVENUE, SENT_QUOTATION_STATE

_logger = logging.getLogger(__name__)

# analytics column -> (sale.customer.metrics field, SQL type of its value)
METRIC_FIELDS = {
    "customer_stage": ("customer_stage", "varchar"),
    "order_count": ("customer_order_count", "int4"),
    "first_order_date": ("first_order_date", "date"),
    "last_order_date": ("last_order_date", "date"),
    "median_order_interval": ("median_order_interval", "float8"),
    "next_order_date": ("next_order_date", "date"),
    "revenue_total": ("revenue_to_date", "float8"),
    "margin_total": ("margin_to_date", "float8"),
    "average_order_value": ("average_order_value", "float8"),
    "purchase_frequency": ("purchase_frequency", "float8"),
    "profitability": ("profitability", "float8"),
    "customer_lifetime_months": ("customer_lifetime_months", "float8"),
    "ltv": ("ltv", "float8"),
    "ltv_basis": ("ltv_basis", "varchar"),
    "ranks_pending": ("customer_base_ranks_pending", "bool"),
    "revenue_window": ("revenue_window", "float8"),
    "orders_window": ("window_order_count", "int4"),
    "revenue_share": ("revenue_share", "float8"),
    "abc_class": ("abc_class", "varchar"),
    "xyz_class": ("xyz_class", "varchar"),
    "customer_segment": ("customer_segment", "varchar"),
    "dependency_risk": ("dependency_risk", "varchar"),
    "is_key_account": ("is_key_account", "bool"),
    "is_key_account_team": ("is_key_account_team", "bool"),
    "is_key_account_salesperson": ("is_key_account_salesperson", "bool"),
    # customer temperature, from the feedback (see analytics.temperature)
    "customer_temperature": ("customer_temperature", "varchar"),
    "temperature_score": ("temperature_score", "float8"),
    "temperature_satisfaction": ("temperature_satisfaction", "float8"),
    "temperature_recommendation": ("temperature_recommendation", "float8"),
    "temperature_complaints": ("temperature_complaints", "int4"),
    "temperature_cancellations": ("temperature_cancellations", "int4"),
    "temperature_contact_date": ("temperature_contact_date", "date"),
    "temperature_previous": ("temperature_previous", "varchar"),
    "temperature_cooled": ("temperature_cooled", "bool"),
    "temperature_alert": ("temperature_alert", "varchar"),
    "last_feedback_date": ("last_feedback_date", "date"),
    "feedback_advocate": ("feedback_advocate", "bool"),
    # prediction and RFM (analytics/prediction.py, analytics/rfm.py)
    "p_alive": ("customer_p_alive", "float8"),
    "expected_orders_90": ("expected_orders_90", "float8"),
    "expected_orders_365": ("expected_orders_365", "float8"),
    "predicted_revenue_12m": ("predicted_revenue_12m", "float8"),
    "predicted_margin_12m": ("predicted_margin_12m", "float8"),
    "predicted_clv": ("predicted_clv", "float8"),
    "value_at_risk": ("customer_value_at_risk", "float8"),
    "stage_cause": ("customer_stage_cause", "varchar"),
    "rfm_recency": ("rfm_recency", "int4"),
    "rfm_frequency": ("rfm_frequency", "int4"),
    "rfm_monetary": ("rfm_monetary", "int4"),
    "rfm_score": ("rfm_score", "varchar"),
    "rfm_segment": ("rfm_segment", "varchar"),
    # a hash of all the values above: comparing it alone tells which customers changed
    "signature": ("customer_base_signature", "varchar"),
}
METRIC_FNAMES = [fname for fname, _type in METRIC_FIELDS.values()]
# every column the engine writes in one statement: its values, the contact schedule, their signature
STORED_FIELDS = {
    **{column: field for column, field in METRIC_FIELDS.items() if column != "signature"},
    **CONTACT_FIELDS,
    "signature": METRIC_FIELDS["signature"],
}
# Inputs a person gives that the stage or the key account flag depend on
MANUAL_FIELDS = ("share_of_wallet", "is_customer_advocate", "key_account_reason", "referred_by_id")
# the order fields the confirmed orders' query reads
ORDER_FIELDS = ["state", "company_id", "partner_id", "date_order", "amount_untaxed", "margin", "currency_rate"]
ORDER_FIELDS += ["team_id", "user_id"]
LOCK_NAMESPACE = 418_202  # pg advisory lock namespace of the full recompute (per company)
NEW_VALUES_TABLE = "sale_customer_base_new_values"  # temporary, per transaction
FLOAT_DECIMALS = 8  # of the values written (amounts, rates, shares)
COPY_FROM = 1000  # rows of new values from which they are COPYed rather than INSERTed


class SaleCustomerBaseEngine(models.AbstractModel):
    _name = "sale.customer.base.engine"
    _description = "Customer Base Engine"

    # ---- entry points
    @api.model
    def _recompute_company(self, company):
        """Recompute every customer of ``company`` (ranks included) and return a summary.

        The work runs in a transaction of its own at READ COMMITTED, committed once the
        company is done (all its values or none): orders confirmed meanwhile neither make
        it fail with a serialization error nor wait for it (see ``_refresh_customers``).
        At install, in tests, or when the caller's uncommitted data must be seen (context key
        ``customer_base_same_transaction``), it runs in the current transaction.
        """
        started = time.monotonic()
        settings = company._customer_base_settings()
        with self._job_transaction(company) as env:
            summary = self.with_env(env)._compute_company(company, settings)
        # the company is written here, in the caller's transaction, which may hold its row
        company.write(
            {
                "customer_base_lifetime_estimated": summary["lifetime"],
                "customer_base_last_run": fields.Datetime.now(),
                "customer_base_prediction": summary.pop("prediction"),
                "customer_base_fingerprint": summary.pop("fingerprint"),
            }
        )
        summary.update(company_id=company.id, company=company.name, seconds=round(time.monotonic() - started, 1))
        _logger.info(
            "Customer base of %s %s: %s customers from %s orders in %.1f s",
            company.name,
            "unchanged since the last run" if summary["unchanged"] else "recomputed",
            summary["customers"],
            summary["orders"],
            summary["seconds"],
        )
        return summary

    @api.model
    def recompute_customer_base(self):
        """Recompute the customer base of every company the user may access.

        :return: one summary per company (``company_id``, ``company`` name, ``customers``, ``orders``,
            ``lifetime`` in months, ``seconds``)
        """
        if not (self.env.su or self.env.user.has_group("sales_team.group_sale_manager")):
            raise AccessError(self.env._("Only sales managers can recompute the customer base."))
        Engine = self.sudo()
        companies = self.env.user.company_ids.sorted("id")
        return [Engine.with_company(company)._recompute_company(company) for company in companies]

    @api.model
    def action_recompute_customer_base(self):
        return self._customer_base_recomputed_notification(self.recompute_customer_base())

    @api.model
    def _customer_base_recomputed_notification(self, summaries):
        """A notification saying what a recompute did, leaving the user where they were."""
        lines = [
            self.env._(
                "%(company)s: nothing changed since the last run (%(customers)s customers, %(orders)s orders).",
                company=summary["company"],
                customers=summary["customers"],
                orders=summary["orders"],
            )
            if summary["unchanged"]
            else self.env._(
                "%(company)s: %(customers)s customers from %(orders)s orders in %(seconds)s s.",
                company=summary["company"],
                customers=summary["customers"],
                orders=summary["orders"],
                seconds=summary["seconds"],
            )
            for summary in summaries
        ]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Customer base recomputed"),
                "message": "\n".join(lines),
                "sticky": False,
            },
        }

    @api.model
    def _compute_company(self, company, settings):
        """Read, compute and store every customer of ``company`` in the current transaction."""
        company = company.with_env(self.env)
        self._lock_company(company)
        as_of = fields.Date.context_today(self)
        known = company.sudo()
        if self._fingerprint(company, as_of) == known.customer_base_fingerprint:
            # nothing the figures are made of changed since the last run, which wrote them
            return {
                "customers": self.env["sale.customer.metrics"].sudo().search_count([("company_id", "=", company.id)]),
                "orders": self._confirmed_order_count(company),
                "lifetime": known.customer_base_lifetime_estimated,
                "written": 0,
                "prediction": known.customer_base_prediction,
                "fingerprint": known.customer_base_fingerprint,
                "unchanged": True,
            }
        # the prediction's parameters are fitted once a day; later runs of the day score with them
        fitted = known.customer_base_prediction or {}
        # (a fit kept before the fits were tested has no check: fitted again)
        fitted_today = fitted.get("fitted_on") == str(as_of) and "check" in fitted
        orders = self._orders_frame(company, as_of)
        result = customer_metrics(
            orders,
            as_of,
            settings,
            prospects=self._prospects(company),
            manual=self._manual_inputs(company),
            feedback=self._feedback_frame(company),
            cancellations=self._cancellations_frame(company),
            prediction_params=stored_params(fitted) if fitted_today else None,
        )
        # last contact and next contact due follow the new segments and stages: written with them
        written = self._store(company, as_of, self._with_contacts(company, as_of, result.metrics, orders))
        # key accounts: plans for the new ones, figures and alarms of all (sale_customer_key_account.py)
        self.env["sale.customer.key.account"].sudo()._sync_key_accounts(
            company, as_of, orders, key_accounts=result.metrics["is_key_account"]
        )
        # the same orders give the periods in progress of the customer base history
        self.env["sale.customer.base.history"].sudo()._refresh_open_periods(company, force=True, orders=orders)
        # orders imported already confirmed never pass through a confirmation
        self.env["sale.customer.reactivation"].sudo()._update_won_back(company=company)
        return {
            "customers": len(result.metrics),
            "orders": len(orders),
            "lifetime": result.lifetime_months,
            "written": len(written),
            # the fits, kept on the company for the refreshes and the other runs of the day
            "prediction": fitted
            if fitted_today
            else dict(result.prediction.as_dict(), check=result.prediction_check.as_dict(), fitted_on=str(as_of)),
            # what the figures were made of, this run's own writes included
            "fingerprint": self._fingerprint(company, as_of),
            "unchanged": False,
        }

    @api.model
    def _fingerprint(self, company, as_of):
        """What the figures of ``company`` are made of, in one short string: the date, the settings,
        and the count and newest change of every table the engine reads (orders, partners and
        their inputs, feedback, credit notes, contacts made and planned, service rules, plans,
        win-back attempts). Equal fingerprints: a new run would compute the same figures."""
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT (SELECT ROW(COUNT(*), MAX(write_date)) FROM sale_order WHERE company_id = %(company)s),
                       (SELECT ROW(COUNT(*), MAX(write_date)) FROM res_partner),
                       (SELECT ROW(COUNT(*), MAX(write_date)) FROM sale_customer_feedback
                         WHERE company_id = %(company)s),
                       (SELECT ROW(COUNT(*), MAX(write_date)) FROM account_move
                         WHERE company_id = %(company)s AND move_type = 'out_refund'),
                       (SELECT ROW(COUNT(*), MAX(write_date)) FROM mail_message WHERE model = 'res.partner'),
                       (SELECT ROW(COUNT(*), MAX(write_date)) FROM mail_activity WHERE res_model = 'res.partner'),
                       (SELECT ROW(COUNT(*), MAX(write_date)) FROM sale_customer_service_rule
                         WHERE company_id = %(company)s),
                       (SELECT ROW(COUNT(*), MAX(write_date)) FROM sale_customer_key_account
                         WHERE company_id = %(company)s),
                       (SELECT ROW(COUNT(*), MAX(write_date)) FROM sale_customer_reactivation
                         WHERE company_id = %(company)s)
                """,
                company=company.id,
            )
        )
        return f"{as_of}|{company._customer_base_settings_signature()}|{rows[0]}"

    @api.model
    def _confirmed_order_count(self, company):
        self.env["sale.order"].flush_model(["state", "company_id"])
        rows = self.env.execute_query(
            SQL("SELECT COUNT(*) FROM sale_order WHERE company_id = %s AND state = 'sale'", company.id)
        )
        return rows[0][0]

    @api.model
    def _cron_recompute(self):
        """Nightly: recompute one company per call, the scheduler calling again while some remain.

        A run starts by marking every company pending; a company is unmarked once
        done, so an interrupted run resumes where it stopped. A company that fails
        (bad data, a setting written around the checks) is logged and skipped: the
        others are recomputed, and it is tried again the next night.
        """
        companies = self.env["res.company"].sudo()
        pending = companies.search([("customer_base_pending", "=", True)], order="id")
        if not pending:
            # every company, on purpose: a new nightly run (companies are few)
            pending = companies.search([], order="id")  # pylint: disable=no-search-all
            pending.customer_base_pending = True
        company = pending[0]
        try:
            with self.env.cr.savepoint():
                self.sudo().with_company(company)._recompute_company(company)
        except UserError as error:
            # another recompute of this company is running: it does the job
            _logger.info("Customer base of %s not recomputed: %s", company.name, error)
        except Exception:
            _logger.exception(
                "Customer base of %s could not be recomputed; the other companies go on, it is tried again next night",
                company.name,
            )
            self.env.invalidate_all()
        company.customer_base_pending = False
        self.env["ir.cron"]._notify_progress(done=1, remaining=len(pending) - 1)
        return len(pending) - 1

    @api.model
    def _refresh_customers(self, company, partners):
        """Refresh the own values of these commercial ``partners`` in ``company`` after an order changed.

        Values ranked over the whole base (ABC class, share of revenue, key for team or
        salesperson) keep the value of the last full recompute. Customers whose rows a
        recompute is writing right now are not waited for: they are queued and refreshed
        as soon as it is done.
        """
        ids = partners.commercial_partner_id.ids
        if not ids:
            return
        if not self._lock_rows(company, ids):
            self.env["sale.customer.base.refresh"]._defer(company, ids)
            return
        settings = company._customer_base_settings()
        as_of = fields.Date.context_today(self)
        orders = self._orders_frame(company, as_of, ids)
        result = customer_metrics(
            orders,
            as_of,
            settings,
            prospects=self._prospects(company, ids),
            manual=self._manual_inputs(company, ids),
            ranks=self._ranks(company, ids),
            lifetime_months=company._customer_base_lifetime_in_use(),
            feedback=self._feedback_frame(company, ids),
            cancellations=self._cancellations_frame(company, ids),
            # the refresh runs for whoever confirmed the order: the fit is a manager's field
            prediction_params=stored_params(company.sudo().customer_base_prediction),
        )
        # the order or quotation is a contact: last contact and next due follow, in the same write
        self._store(company, as_of, self._with_contacts(company, as_of, result.metrics, orders, ids), ids)
        self.env["sale.customer.key.account"].sudo()._sync_key_accounts(
            company, as_of, orders, partner_ids=ids, key_accounts=result.metrics["is_key_account"]
        )

    @api.model
    def _refresh_deferred(self, company=None, limit=None):
        """Refresh the queued customers (of ``company``, at most ``limit``): their figures, contact
        values and win-back attempts (an order may win a customer back, or undo it), the follow-ups
        of the orders just confirmed, and the customer rank of those with a confirmed order; return
        how many. Customers whose rows a job
        holds go back to the queue (see ``_refresh_customers``)."""
        Queue = self.env["sale.customer.base.refresh"].sudo()
        domain = [("company_id", "=", company.id)] if company else []
        queued = Queue.search(domain, order="id", limit=limit)
        by_company = defaultdict(lambda: self.env["res.partner"])
        for row in queued:
            by_company[row.company_id] |= row.partner_id
        confirmed = queued.filtered("order_confirmed").partner_id
        queued.unlink()
        for queued_company, partners in by_company.items():
            self.sudo()._refresh_customers(queued_company, partners)
            self.env["sale.customer.reactivation"].sudo()._update_won_back(partners, queued_company)
            self.env["sale.order"]._schedule_pending_followups(queued_company)
        # a confirmed order makes its partner a customer, as a posted invoice does in ``account``: Odoo's
        # *Customers* menus filter on the rank, and would otherwise hide who buys without an invoice yet
        confirmed._increase_rank("customer_rank")
        return len(queued)

    # ---- transactions and locks of the jobs
    @api.model
    @contextmanager
    def _job_transaction(self, company):
        """The environment a job (the recompute, the contact planning) does the work of ``company`` in.

        A transaction of its own at READ COMMITTED, committed when the block ends (all the
        company's values or none): orders confirmed meanwhile neither wait for the job nor
        make it fail, and the customers they queued because the job held their rows (see
        ``_lock_rows``) are refreshed right after, in a new transaction that sees what the job
        wrote. At install, in tests, or when the caller's uncommitted data must be seen
        (context key ``customer_base_same_transaction``), the current transaction.
        """
        registry = self.env.registry
        if not registry.ready or module.current_test or self.env.context.get("customer_base_same_transaction"):
            yield self.env
            return
        with registry.cursor() as cr:
            cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
            yield self.env(cr=cr)
        self.env.invalidate_all()
        # the caller's snapshot predates the job's commit: it could not lock the rows the job wrote
        with registry.cursor() as cr:
            cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
            self.with_env(self.env(cr=cr))._refresh_deferred(company)

    @api.model
    def _lock_company(self, company):
        """Take the company's recompute lock until the end of the transaction."""
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", LOCK_NAMESPACE, company.id))
        if not self.env.cr.fetchone()[0]:
            raise UserError(
                self.env._(
                    "The customer base of %(company)s is being recomputed right now. "
                    "Its values will be up to date in a few minutes.",
                    company=company.name,
                )
            )

    @api.model
    def _lock_rows(self, company, partner_ids):
        """Lock the figures of these commercial partners in ``company``, or say they are busy.

        A job (full recompute, contact planning) holds the rows it writes until it commits;
        waiting for it would keep a salesperson's order confirmation spinning, and the row it
        then finds changed would fail her transaction (repeatable read).
        """
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """
                        SELECT id FROM sale_customer_metrics
                         WHERE company_id = %s AND partner_id = ANY(%s)
                           FOR NO KEY UPDATE NOWAIT
                        """,
                        company.id,
                        list(partner_ids),
                    )
                )
        except (errors.LockNotAvailable, errors.SerializationFailure):
            return False
        return True

    # ---- reads (one query each, whatever the number of customers)
    @api.model
    def _confirmed_orders_sql(self, company=None, until=None, partner_ids=None, orders=None, partners=None, since=None):
        """THE confirmed orders of ``company`` (of every company when None), amounts in company
        currency, as an SQL sub-query.

        Columns: ``partner_id`` (the commercial partner: orders of contacts count for
        their company), ``company_id``, ``order_id``, ``date_order`` (UTC), ``day``
        (days since 1970-01-01 of the order's UTC date), ``revenue`` and ``margin``
        (untaxed, at the order's own rate), ``team_id``, ``user_id``. ``since`` and
        ``until`` (datetimes) bound ``date_order``; ``partner_ids`` keeps those
        customers; ``orders`` and ``partners`` (``Query`` objects) keep the orders a
        user may read, and chosen customers. Every reader of orders in the addon
        starts from here: the engine, the customer history and the workbook, the
        win-back search and won-back detection, the campaigns' outcome.
        """
        self.env["sale.order"].flush_model(ORDER_FIELDS)
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        conditions = [SQL("so.state = 'sale'")]
        if company is not None:
            conditions.append(SQL("so.company_id = %s", company.id))
        if since is not None:
            conditions.append(SQL("so.date_order >= %s", since))
        if until is not None:
            conditions.append(SQL("so.date_order < %s", until))
        if partner_ids is not None:
            conditions.append(SQL("p.commercial_partner_id = ANY(%s)", list(partner_ids)))
        if orders is not None:
            conditions.append(SQL("so.id IN %s", orders.subselect()))
        if partners is not None:
            conditions.append(SQL("p.commercial_partner_id IN %s", partners.subselect()))
        return SQL(
            """
            SELECT p.commercial_partner_id AS partner_id,
                   so.company_id,
                   so.id AS order_id,
                   so.date_order,
                   so.date_order::date - DATE '1970-01-01' AS day,
                   %(revenue)s AS revenue,
                   %(margin)s AS margin,
                   so.team_id,
                   so.user_id
              FROM sale_order AS so
              JOIN res_partner AS p ON p.id = so.partner_id
             WHERE %(conditions)s
            """,
            revenue=ORDER_REVENUE,
            margin=ORDER_MARGIN,
            conditions=SQL(" AND ").join(conditions),
        )

    @api.model
    def _open_quotations_sql(self, company=None, partner_ids=None, partners=None, sent_only=False, until=None):
        """THE open quotations of ``company`` (of every company when None), as an SQL sub-query:
        neither confirmed nor cancelled (``OPEN_QUOTATION_STATES``), or only those sent to the
        customer (``sent_only``); ``until`` (a datetime) keeps those dated before it.

        Columns: ``partner_id`` (the commercial partner), ``company_id``, ``order_id``,
        ``date_order``, ``state``, ``user_id``. Its readers: the prospects of the engine, the
        win-back's stalled quotations; the key account plans and the offers report use the same
        states."""
        self.env["sale.order"].flush_model(["state", "company_id", "partner_id", "date_order", "user_id"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        states = (SENT_QUOTATION_STATE,) if sent_only else OPEN_QUOTATION_STATES
        conditions = [SQL("so.state IN %s", states)]
        if company is not None:
            conditions.append(SQL("so.company_id = %s", company.id))
        if until is not None:
            conditions.append(SQL("so.date_order < %s", until))
        if partner_ids is not None:
            conditions.append(SQL("p.commercial_partner_id = ANY(%s)", list(partner_ids)))
        if partners is not None:
            conditions.append(SQL("p.commercial_partner_id IN %s", partners.subselect()))
        return SQL(
            """
            SELECT p.commercial_partner_id AS partner_id, so.company_id, so.id AS order_id, so.date_order,
                   so.state, so.user_id
              FROM sale_order AS so
              JOIN res_partner AS p ON p.id = so.partner_id
             WHERE %(conditions)s
            """,
            conditions=SQL(" AND ").join(conditions),
        )

    @api.model
    def _orders_frame(self, company, as_of, partner_ids=None):
        """Confirmed orders of ``company`` up to ``as_of`` (a date), as the engine's frame."""
        until = fields.Datetime.to_datetime(as_of) + pd.Timedelta(days=1)
        orders = self._confirmed_orders_sql(company, until=until, partner_ids=partner_ids)
        return self._frame(
            SQL("SELECT partner_id, order_id, day, revenue, margin, team_id, user_id FROM (%s) AS o", orders)
        )

    @api.model
    def _frame(self, query):
        """Run ``query`` and return its rows as a DataFrame.

        COPY streams the rows as CSV: for a million orders it is several times
        faster and lighter than fetching Python tuples.
        """
        buffer = io.StringIO()
        statement = self.env.cr.mogrify(query).decode()
        self.env.cr.copy_expert(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv, HEADER)", buffer)
        buffer.seek(0)
        # the types read from the whole column at once: read in chunks (the default) a column empty
        # for the first hundred thousand rows and filled later gets mixed types, and a warning
        return pd.read_csv(buffer, low_memory=False)

    @api.model
    def _partner_filter(self, alias, partner_ids):
        if partner_ids is None:
            return SQL()
        return SQL("AND %s = ANY(%s)", SQL.identifier(alias, "commercial_partner_id"), list(partner_ids))

    @api.model
    def _prospects(self, company, partner_ids=None):
        """Commercial partners with open quotations in ``company``."""
        quotations = self._open_quotations_sql(company, partner_ids=partner_ids)
        query = SQL("SELECT DISTINCT partner_id FROM (%s) AS q", quotations)
        return [partner_id for (partner_id,) in self.env.execute_query(query)]

    @api.model
    def _manual_inputs(self, company, partner_ids=None):
        """Share of wallet, advocate flag, key account reason and referrals given by people."""
        self.env["res.partner"].flush_model([*MANUAL_FIELDS, "commercial_partner_id"])
        key = str(company.id)
        rows = self.env.execute_query(
            SQL(
                """
                WITH referrals AS (
                    SELECT referrer.commercial_partner_id AS id,
                           COUNT(DISTINCT referred.commercial_partner_id) AS referred
                      FROM res_partner AS referred
                      JOIN res_partner AS referrer ON referrer.id = referred.referred_by_id
                     WHERE referred.commercial_partner_id <> referrer.commercial_partner_id
                           %(referrers)s
                     GROUP BY referrer.commercial_partner_id
                )
                SELECT p.id,
                       (p.share_of_wallet->>%(key)s)::float8,
                       COALESCE((p.is_customer_advocate->>%(key)s)::bool, FALSE),
                       (p.key_account_reason->>%(key)s) IS NOT NULL,
                       COALESCE(r.referred, 0)
                  FROM res_partner AS p
                  LEFT JOIN referrals AS r ON r.id = p.id
                 WHERE p.id = p.commercial_partner_id
                   AND (p.share_of_wallet ? %(key)s OR p.is_customer_advocate ? %(key)s
                        OR p.key_account_reason ? %(key)s OR r.id IS NOT NULL)
                   %(partners)s
                """,
                key=key,
                partners=self._partner_filter("p", partner_ids),
                referrers=self._partner_filter("referrer", partner_ids),
            )
        )
        return pd.DataFrame(
            [row[1:] for row in rows],
            index=pd.Index([row[0] for row in rows], name="partner_id"),
            columns=["share_of_wallet", "is_advocate", "key_account_reason", "referral_count"],
        )

    @api.model
    def _feedback_frame(self, company, partner_ids=None):
        """The feedback answers of the customers of ``company``, as :mod:`..analytics.temperature` reads them."""
        self.env["sale.customer.feedback"].flush_model()
        return self._frame(
            SQL(
                """
                SELECT f.partner_id, f.id AS feedback_id, f.date - DATE '1970-01-01' AS day,
                       (SELECT AVG(score::int) FROM unnest(ARRAY[f.satisfaction_product, f.satisfaction_service,
                               f.satisfaction_delivery, f.satisfaction_moment]) AS score) AS satisfaction,
                       f.recommendation::int AS recommendation,
                       COALESCE(f.complaint, FALSE)::int AS complaint,
                       (f.referred_partner_id IS NOT NULL)::int AS referral
                  FROM sale_customer_feedback AS f
                 WHERE f.company_id = %(company)s %(partners)s
                 ORDER BY f.partner_id, f.date, f.id
                """,
                company=company.id,
                partners=SQL() if partner_ids is None else SQL("AND f.partner_id = ANY(%s)", list(partner_ids)),
            )
        )

    @api.model
    def _cancellations_frame(self, company, partner_ids=None):
        """Cancelled orders (by order date) and posted credit notes (by date) of the customers of ``company``."""
        self.env["sale.order"].flush_model(["state", "date_order", "partner_id", "company_id"])
        self.env["account.move"].flush_model(["move_type", "state", "invoice_date", "commercial_partner_id"])
        return self._frame(
            SQL(
                """
                SELECT p.commercial_partner_id AS partner_id, so.date_order::date - DATE '1970-01-01' AS day
                  FROM sale_order AS so
                  JOIN res_partner AS p ON p.id = so.partner_id
                 WHERE so.state = 'cancel' AND so.company_id = %(company)s %(order_partners)s
                 UNION ALL
                SELECT m.commercial_partner_id, m.invoice_date - DATE '1970-01-01'
                  FROM account_move AS m
                 WHERE m.move_type = 'out_refund' AND m.state = 'posted' AND m.company_id = %(company)s
                   AND m.invoice_date IS NOT NULL %(move_partners)s
                """,
                company=company.id,
                order_partners=self._partner_filter("p", partner_ids),
                move_partners=self._partner_filter("m", partner_ids),
            )
        )

    @api.model
    def _ranks(self, company, partner_ids):
        """Stored values ranked over the whole base, for a refresh of a few customers."""
        self.env["sale.customer.metrics"].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT partner_id, abc_class, revenue_share, is_key_account_team, is_key_account_salesperson,
                       rfm_recency, rfm_frequency, rfm_monetary, rfm_score, rfm_segment
                  FROM sale_customer_metrics
                 WHERE company_id = %s AND partner_id = ANY(%s)
                """,
                company.id,
                list(partner_ids),
            )
        )
        return pd.DataFrame(
            [row[1:] for row in rows],
            index=pd.Index([row[0] for row in rows], name="partner_id"),
            columns=["abc_class", "revenue_share", "is_key_account_team", "is_key_account_salesperson", *RFM_COLUMNS],
        )

    # ---- writes (set-based)
    @api.model
    def _store(self, company, as_of, metrics, partner_ids=None):
        """Store ``metrics`` for ``company`` (all customers when ``partner_ids`` is None): only the
        customers whose values changed are written; the rows of customers without values any
        more are removed; stage changes go to the history and chatter."""
        Metrics = self.env["sale.customer.metrics"]
        Metrics.flush_model()
        self.env["res.partner"].flush_model(["user_id"])
        # dates, not the days since them: the calendar does not rewrite the rows (sale.customer.metrics)
        metrics = metrics.assign(
            temperature_contact_date=pd.to_datetime(as_of)
            - pd.to_timedelta(metrics["temperature_contact_days"], unit="D")
        )
        values = self._value_frame(metrics)
        stored = self._stored_signatures(company, partner_ids)
        # the signature covers every value: equal signatures, nothing to write
        changed = values[values["customer_base_signature"].to_numpy() != stored.reindex(values["id"]).to_numpy()]
        cleared = [int(partner_id) for partner_id in stored.index.difference(values["id"])]
        if changed.empty and not cleared:
            return []
        self._load_new_values(changed)
        transitions = self._record_stage_changes(company, as_of, cleared)
        written = self._write_changed_values(company) + self._clear_values(company, cleared)
        self.env["res.partner"]._invalidate_customer_figures()
        if len(changed) > COPY_FROM:
            # a refresh later in this transaction would otherwise wade through the dead rows
            self.env.cr.execute(SQL("TRUNCATE %s", SQL.identifier(NEW_VALUES_TABLE)))
        if transitions:
            self._log_stage_transitions(company, transitions)
        return written  # ids of the customers written

    @api.model
    def _stored_signatures(self, company, partner_ids=None):
        """Signature of the stored values of the customers having a row in the company."""
        rows = self.env.execute_query(
            SQL(
                """
                SELECT partner_id, customer_base_signature
                  FROM sale_customer_metrics
                 WHERE company_id = %(company)s %(partners)s
                """,
                company=company.id,
                partners=SQL() if partner_ids is None else SQL("AND partner_id = ANY(%s)", list(partner_ids)),
            )
        )
        return pd.Series(
            [row[1] for row in rows], index=pd.Index([row[0] for row in rows], dtype="int64"), dtype=object
        )

    @api.model
    def _with_contacts(self, company, as_of, metrics, orders, partner_ids=None):
        """``metrics`` with the contact schedule of the customers (rule, last and next contact,
        cost to serve), computed from the stages and classes of ``metrics`` and the margins of
        ``orders`` in memory: one pass, one write."""
        classes = metrics[["abc_class", "xyz_class", "customer_segment", "customer_stage", "is_key_account"]]
        _customers, schedule = (
            self.env["sale.customer.contact.engine"]
            .sudo()
            ._schedule(company, as_of, partner_ids, classes=classes, orders=orders)
        )
        return metrics.join(schedule[list(CONTACT_FIELDS)], how="left")

    @api.model
    def _value_frame(self, metrics):
        """``metrics`` as the typed rows to store, named after the partner fields, with their signature."""
        frame = pd.DataFrame({"id": metrics.index.astype("int64")})
        for column, (fname, sql_type) in STORED_FIELDS.items():
            if column == "signature":
                continue
            values = metrics[column].reset_index(drop=True)
            if sql_type == "date":
                values = pd.to_datetime(values).dt.strftime("%Y-%m-%d")
            elif sql_type == "int4":
                values = values.round().astype("Int64")
            elif sql_type == "bool":
                values = values.astype(object).where(values.notna(), False).astype(bool)
            elif sql_type == "float8":
                # rounded: shorter to print and to parse, and stable from one run to the next
                values = values.astype(float).where(np.isfinite(values.astype(float))).round(FLOAT_DECIMALS)
            frame[fname] = values
        hashed = pd.util.hash_pandas_object(frame.drop(columns="id"), index=False)
        frame["customer_base_signature"] = hashed.map("{:016x}".format).to_numpy()
        return frame

    @api.model
    def _load_new_values(self, frame):
        """Put ``frame`` (see ``_value_frame``) into the temporary table of new values: COPY for
        many customers, one INSERT for the few of a refresh."""
        columns = SQL(", ").join(
            SQL("%s %s", SQL.identifier(fname), SQL(sql_type)) for fname, sql_type in STORED_FIELDS.values()
        )
        table = SQL.identifier(NEW_VALUES_TABLE)
        self.env.cr.execute(
            SQL("CREATE TEMPORARY TABLE IF NOT EXISTS %s (id int4 PRIMARY KEY, %s) ON COMMIT DROP", table, columns)
        )
        self.env.cr.execute(SQL("DELETE FROM %s", table))
        if frame.empty:
            return
        if len(frame) <= COPY_FROM:
            rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
            self.env.cr.execute(
                SQL("INSERT INTO %s VALUES %s", table, SQL(", ").join(SQL("%s", tuple(row)) for row in rows))
            )
            return
        booleans = [fname for fname, sql_type in STORED_FIELDS.values() if sql_type == "bool"]
        frame = frame.assign(**{fname: frame[fname].map({True: "t", False: "f"}) for fname in booleans})
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=False)
        buffer.seek(0)
        self.env.cr.copy_expert(f"COPY {NEW_VALUES_TABLE} FROM STDIN WITH (FORMAT csv)", buffer)

    @api.model
    def _write_changed_values(self, company):
        """One INSERT of the new rows and UPDATE of the rows whose values differ from the new ones
        (their signatures differ); the ids of their customers."""
        columns = [SQL.identifier(fname) for fname, _type in STORED_FIELDS.values()]
        rows = self.env.execute_query(
            SQL(
                """
                INSERT INTO sale_customer_metrics AS m
                       (company_id, partner_id, user_id, create_uid, create_date, write_uid, write_date, %(columns)s)
                SELECT %(company)s, v.id, p.user_id, %(uid)s, %(now)s, %(uid)s, %(now)s, %(values)s
                  FROM %(new_values)s AS v
                  JOIN res_partner AS p ON p.id = v.id
                    ON CONFLICT (company_id, partner_id) DO UPDATE
                   SET %(assignments)s, write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
                 WHERE m.customer_base_signature IS DISTINCT FROM EXCLUDED.customer_base_signature
                RETURNING m.partner_id
                """,
                columns=SQL(", ").join(columns),
                values=SQL(", ").join(SQL("v.%s", column) for column in columns),
                assignments=SQL(", ").join(SQL("%s = EXCLUDED.%s", column, column) for column in columns),
                company=company.id,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                new_values=SQL.identifier(NEW_VALUES_TABLE),
            )
        )
        return [row[0] for row in rows]

    @api.model
    def _clear_values(self, company, partner_ids):
        """Remove the rows in the company of these customers, which no longer have any values; their ids."""
        if not partner_ids:
            return []
        rows = self.env.execute_query(
            SQL(
                "DELETE FROM sale_customer_metrics WHERE company_id = %s AND partner_id = ANY(%s) RETURNING partner_id",
                company.id,
                list(partner_ids),
            )
        )
        return [row[0] for row in rows]

    @api.model
    def _record_stage_changes(self, company, as_of, cleared):
        """Insert in the stage history, in one statement, the stage changes of the customers in the
        table of new values and of the ``cleared`` ones; return the transitions (a stage before and
        after) for the chatter."""
        changes = SQL(
            """
            SELECT v.id AS partner_id, m.customer_stage AS old_stage, v.customer_stage AS new_stage
              FROM %(new_values)s AS v
              LEFT JOIN sale_customer_metrics AS m ON m.partner_id = v.id AND m.company_id = %(company)s
             WHERE m.customer_stage IS DISTINCT FROM v.customer_stage
             UNION ALL
            SELECT m.partner_id, m.customer_stage, NULL
              FROM sale_customer_metrics AS m
             WHERE m.company_id = %(company)s AND m.partner_id = ANY(%(cleared)s) AND m.customer_stage IS NOT NULL
            """,
            company=company.id,
            new_values=SQL.identifier(NEW_VALUES_TABLE),
            cleared=list(cleared),
        )
        return self.env["sale.customer.stage.history"]._insert_changes(company, as_of, changes)

    @api.model
    def _log_stage_transitions(self, company, transitions):
        """Post the stage transitions in the chatter, as tracking messages (one create for all)."""
        labels = dict(self.env["sale.customer.metrics"]._fields["customer_stage"]._description_selection(self.env))
        field = self.env["ir.model.fields"]._get("res.partner", "customer_stage")
        note = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        author = self.env.user.partner_id.id
        body = (
            self.env._("Customer stage in %(company)s", company=company.name)
            if len(self.env.user.company_ids) > 1
            else ""
        )
        self.env["mail.message"].sudo().create(
            [
                {
                    "model": "res.partner",
                    "res_id": partner_id,
                    "message_type": "notification",
                    "subtype_id": note,
                    "author_id": author,
                    "body": body,
                    "tracking_value_ids": [
                        Command.create(
                            {
                                "field_id": field.id,
                                "old_value_char": labels.get(old_stage, old_stage or ""),
                                "new_value_char": labels.get(new_stage, new_stage or ""),
                            }
                        )
                    ],
                }
                for partner_id, old_stage, new_stage in transitions
            ]
        )
