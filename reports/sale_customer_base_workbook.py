"""The Excel workbook's data, as the user may see it: customers, flow, stage changes, feedback.

Customers are those the user may read (record rules apply through ``_search``), with the
fields they may read; the flow over the period is computed from the confirmed orders they may
read. The workbook itself is built by :func:`..analytics.workbook.build_workbook`; the export
wizard (``sale.customer.base.export``) collects the choices and calls ``_workbook_data``.
"""

import datetime

import pandas as pd

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..analytics.flow import customer_flow, periods
from ..analytics.prediction import PredictionError, forecast_check
from ..analytics.workbook import FEEDBACK_COLUMNS, WorkbookData
from ..models.sale_customer_base_engine import METRIC_FIELDS
from ..models.sale_customer_metrics import SHARED_FIELDS


class SaleCustomerBaseWorkbook(models.AbstractModel):
    _name = "sale.customer.base.workbook"
    _description = "Customer Base Workbook Data"

    @api.model
    def _workbook_data(self, companies, date_from, date_to, partner_domain):
        """The workbook's data (:class:`..analytics.workbook.WorkbookData`) of the customers of ``companies``
        matching ``partner_domain`` that the user may read, over ``date_from`` to ``date_to``."""
        customers, monthly, whole, transitions = [], [], [], []
        today = fields.Date.context_today(self)
        for company in companies.sorted("id"):
            partners = self.env["res.partner"].with_company(company)._search(partner_domain)
            frame = self._customer_frame(company, partners)
            if frame.empty:
                continue
            customers.append(frame.assign(company=company.name))
            lost_days = company.customer_base_lost_days
            orders = self.env["sale.customer.base.history"]._flow_orders(
                company,
                date_from,
                date_to,
                lost_days,
                order_query=self.env["sale.order"]._search([("company_id", "=", company.id)]),
                partner_query=partners,
            )
            monthly.append(customer_flow(orders, periods("month", date_from, date_to), lost_days))
            whole.append(customer_flow(orders, [(date_from, date_to, date_to < today)], lost_days))
            transitions.append(self._transitions(company, partners, date_from, date_to))
        if not customers:
            raise UserError(self.env._("No customer matches these choices. Widen the filters or pick other companies."))
        customers = pd.concat(customers, ignore_index=True)
        if len(companies) < 2:
            customers = customers.drop(columns=["company"])
        company = companies.sorted("id")[:1]
        single = len(companies) == 1
        partner_fields = self.env["res.partner"]._fields
        return WorkbookData(
            customers=customers,
            monthly_flow=self._named_flow(pd.concat(monthly, ignore_index=True)),
            period_flow=self._named_flow(pd.concat(whole, ignore_index=True)),
            transitions=pd.concat(transitions, ignore_index=True),
            company=", ".join(companies.sorted("id").mapped("name")),
            date_from=date_from,
            date_to=date_to,
            currency=company.currency_id.name,
            margin_note=self.env._("Margin of the confirmed orders, as computed by Odoo"),
            transitions_note=self.env._("Stage changes recorded by Odoo in the period."),
            lifetime_months=company._customer_base_lifetime_in_use() if single else None,
            max_key_accounts=company.customer_base_max_key_accounts if single else None,
            stage_labels=dict(partner_fields["customer_stage"]._description_selection(self.env)),
            risk_labels=dict(partner_fields["dependency_risk"]._description_selection(self.env)),
            translate=self.env._,
            right_to_left=self.env["res.lang"]._get_data(code=self.env.lang).direction == "rtl",
            feedback=self._feedback_frame(companies, date_from, date_to, partner_domain),
            # why the prediction columns are empty, when they are (one company: its model)
            prediction_note=(company.sudo()._customer_base_prediction_problem() or "") if single else "",
        )

    @api.model
    def _forecast(self, companies, date_to, calibration_date, partner_domain):
        """The holdout check of the prediction (Forecast sheet) from the orders the user may read."""
        if len(companies) > 1:
            raise UserError(self.env._("The prediction is checked one company at a time: choose one company."))
        company = companies
        Engine = self.env["sale.customer.base.engine"]
        orders = Engine._confirmed_orders_sql(
            company,
            until=fields.Datetime.to_datetime(date_to) + datetime.timedelta(days=1),
            orders=self.env["sale.order"]._search([("company_id", "=", company.id)]),
            partners=self.env["res.partner"].with_company(company)._search(partner_domain),
        )
        frame = Engine._frame(SQL("SELECT partner_id, day, revenue, margin FROM (%s) AS o", orders))
        try:
            return forecast_check(frame, calibration_date, date_to)
        except PredictionError:
            raise UserError(
                self.env._(
                    "Check the prediction from a day between the first order and the end of the period "
                    "(%(end)s), so that orders fall on both sides of it.",
                    end=date_to,
                )
            ) from None

    @api.model
    def _customer_frame(self, company, partners):
        """Customers of ``partners`` (a Query) with the metrics the user may read, named like the engine's columns."""
        Partner = self.env["res.partner"]
        Metrics = self.env["sale.customer.metrics"]
        Partner.flush_model()
        Metrics.flush_model()
        key = str(company.id)
        readable = {
            column: (fname, sql_type)
            for column, (fname, sql_type) in METRIC_FIELDS.items()
            if Metrics._fields[fname].is_accessible(self.env)
        }
        manager = Partner._fields["key_account_manager_id"].is_accessible(self.env)
        # what every salesperson sees from the company's row (m), the rest from the rows she may read (mine)
        columns = [
            SQL(
                "%s.%s AS %s",
                SQL("m" if fname in SHARED_FIELDS else "mine"),
                SQL.identifier(fname),
                SQL.identifier(column),
            )
            for column, (fname, sql_type) in readable.items()
        ]
        # the days since a date are counted today (the table keeps the dates)
        today = fields.Date.context_today(self)
        if "last_order_date" in readable:
            columns.append(SQL("%s - mine.last_order_date AS days_since_last_order", today))
        if "temperature_contact_date" in readable:
            columns.append(SQL("%s - mine.temperature_contact_date AS temperature_contact_days", today))
        if manager:
            columns.append(SQL("kp.name AS key_account_manager"))
        # the key account plans the user may read: target, health and people-map coverage
        Plan = self.env["sale.customer.key.account"]
        plans = Plan._search([("company_id", "=", company.id)]) if Plan.has_access("read") else None
        if plans is not None:
            Plan.flush_model(["partner_id", "target_revenue", "health", "coverage"])
            columns.append(SQL("ka.target_revenue, ka.health::int4 AS key_account_health, ka.coverage"))
        lang = self.env.lang or "en_US"
        # keeping in touch: the Contact coverage sheet
        contacts = Partner._fields["contact_rule_id"].is_accessible(self.env)
        if contacts:
            columns.append(
                SQL(
                    """COALESCE(rule.name ->> %(lang)s, rule.name ->> 'en_US') AS contact_rule,
                       %(last)s AS last_contact_date,
                       %(next)s AS next_contact_date,
                       %(overdue)s AS contact_days_overdue""",
                    lang=lang,
                    last=SQL("mine.last_contact_date"),
                    next=SQL("mine.next_contact_date"),
                    overdue=SQL("GREATEST(0, %s - mine.next_contact_date)", today),
                )
            )
        query = SQL(
            """
            SELECT p.id AS partner_id,
                   p.complete_name AS name,
                   up.name AS salesperson,
                   COALESCE(t.name ->> %(lang)s, t.name ->> 'en_US') AS team,
                   %(columns)s
              FROM res_partner AS p
              LEFT JOIN res_users AS u ON u.id = p.user_id
              LEFT JOIN res_partner AS up ON up.id = u.partner_id
              LEFT JOIN crm_team AS t ON t.id = u.sale_team_id
              LEFT JOIN res_users AS ku ON ku.id = (p.key_account_manager_id ->> %(key)s)::int4
              LEFT JOIN res_partner AS kp ON kp.id = ku.partner_id
              %(plans)s
              LEFT JOIN sale_customer_metrics AS m ON m.partner_id = p.id AND m.company_id = %(company)s
              LEFT JOIN sale_customer_metrics AS mine ON mine.id = m.id AND mine.id IN %(readable)s
              LEFT JOIN sale_customer_service_rule AS rule ON rule.id = m.contact_rule_id
             WHERE p.id IN %(partners)s
               AND p.id = p.commercial_partner_id
            """,
            lang=lang,
            key=key,
            company=company.id,
            readable=Metrics._search([("company_id", "=", company.id)]).subselect(),
            columns=SQL(", ").join(columns),
            partners=partners.subselect(),
            plans=SQL(
                "LEFT JOIN sale_customer_key_account AS ka ON ka.partner_id = p.id AND ka.id IN %s", plans.subselect()
            )
            if plans is not None
            else SQL(),
        )
        frame = self.env["sale.customer.base.engine"]._frame(query)
        if contacts:
            for column in ("last_contact_date", "next_contact_date"):
                frame[column] = pd.to_datetime(frame[column])
        for column, (_fname, sql_type) in readable.items():
            if sql_type == "date":
                frame[column] = pd.to_datetime(frame[column])
            elif sql_type == "bool":
                frame[column] = frame[column].map({"t": True, "f": False, True: True, False: False})
        return frame

    @api.model
    def _transitions(self, company, partners, date_from, date_to):
        groups = self.env["sale.customer.stage.history"]._read_group(
            [
                ("company_id", "=", company.id),
                ("date", ">=", date_from),
                ("date", "<=", date_to),
                ("partner_id", "in", partners),
            ],
            ["old_stage", "new_stage"],
            ["__count"],
        )
        return pd.DataFrame(
            [(old or None, new, count) for old, new, count in groups], columns=["from_stage", "to_stage", "customers"]
        )

    @api.model
    def _named_flow(self, flow):
        """Flow rows with the salesperson's and team's names instead of ids."""
        users = self.env["res.users"].browse(int(uid) for uid in flow["user_id"].dropna().unique())
        teams = self.env["crm.team"].browse(int(tid) for tid in flow["team_id"].dropna().unique())
        user_names = {user.id: user.name for user in users}
        team_names = {team.id: team.name for team in teams}
        return flow.assign(
            salesperson=flow["user_id"].map(lambda uid: user_names.get(int(uid)) if pd.notna(uid) else None),
            team=flow["team_id"].map(lambda tid: team_names.get(int(tid)) if pd.notna(tid) else None),
        )

    @api.model
    def _feedback_frame(self, companies, date_from, date_to, partner_domain):
        """The feedback answers of the period the user may read, of the customers exported (Feedback sheet)."""
        Report = self.env["sale.customer.feedback.report"]
        rows = []
        several = len(companies) > 1
        for company in companies.sorted("id"):
            partners = self.env["res.partner"].with_company(company)._search(partner_domain)
            answers = Report.search(
                [
                    ("company_id", "=", company.id),
                    ("date", ">=", date_from),
                    ("date", "<=", date_to),
                    ("partner_id", "in", partners),
                ]
            )
            rows += [
                {
                    "date": answer.date,
                    "customer": answer.partner_id.display_name,
                    "company": company.name if several else None,
                    "salesperson": answer.salesperson_id.name or None,
                    "asked_by": answer.user_id.name or None,
                    "order": answer.order_id.name or None,
                    "category": answer.categ_id.display_name or None,
                    "satisfaction": answer.satisfaction or None,
                    **{
                        fname: int(answer[fname]) if answer[fname] else None
                        for fname in (
                            "satisfaction_product",
                            "satisfaction_service",
                            "satisfaction_delivery",
                            "satisfaction_moment",
                        )
                    },
                    # the report's number reads 0 for "not answered": the answer itself tells
                    "recommendation": int(answer.feedback_id.recommendation)
                    if answer.feedback_id.recommendation
                    else None,
                    "share_of_wallet": answer.feedback_id.share_of_wallet or None,
                    "complaint": bool(answer.complaint_count),
                    "complaint_note": answer.complaint_note or None,
                    "buy_more": answer.buy_more or None,
                }
                for answer in answers
            ]
        frame = pd.DataFrame(rows, columns=[column for _header, column, _kind in FEEDBACK_COLUMNS])
        if not several:
            frame = frame.drop(columns=["company"], errors="ignore")
        return frame
