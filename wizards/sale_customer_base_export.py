"""Excel workbook of the customer base, as the user may see it.

Customers are those the user may read (record rules apply through
``_search``), with the fields they may read; the flow over the period is
computed from the confirmed orders they may read. The workbook itself is built
by :func:`..analytics.workbook.build_workbook`.
"""

import base64
import datetime
import re

import pandas as pd
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..analytics.flow import customer_flow, periods
from ..analytics.prediction import PredictionError, forecast_check
from ..analytics.workbook import FEEDBACK_COLUMNS, SHEETS, WorkbookData, build_workbook, default_start
from ..models.sale_customer_base_engine import METRIC_FIELDS
from ..models.sale_customer_metrics import SHARED_FIELDS

EARLIEST_START = datetime.date(1900, 1, 1)
MAX_YEARS = 50  # of monthly rows in the Retention sheet
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SaleCustomerBaseExport(models.TransientModel):
    _name = "sale.customer.base.export"
    _description = "Customer Base Excel Export"

    date_from = fields.Date("From", required=True, default=lambda self: self._default_date_from())
    date_to = fields.Date("To", required=True, default=fields.Date.context_today)
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        required=True,
        default=lambda self: self.env.companies,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    team_ids = fields.Many2many(
        "crm.team", string="Sales Teams", help="Customers whose salesperson belongs to these teams."
    )
    user_ids = fields.Many2many(
        "res.users", string="Salespeople", domain=[("share", "=", False)], help="Customers of these salespeople only."
    )
    stage_tag_ids = fields.Many2many(
        "sale.customer.base.tag",
        "sale_customer_base_export_stage_rel",
        string="Lifecycle Stages",
        domain=[("kind", "=", "stage")],
    )
    segment_tag_ids = fields.Many2many(
        "sale.customer.base.tag",
        "sale_customer_base_export_segment_rel",
        string="Segments",
        domain=[("kind", "=", "segment")],
    )
    partner_ids = fields.Many2many(
        "res.partner", string="Customers", help="Only these customers; leave empty for all that match the filters."
    )
    error = fields.Text(compute="_compute_error")
    calibration_date = fields.Date(
        "Check the Prediction From",
        help="Adds a Forecast sheet: the prediction fitted on the orders up to this day, compared with the orders "
        "after it up to the end of the period. One company at a time.",
    )
    file = fields.Binary(readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)
    sheet_list = fields.Text("Sheets", compute="_compute_sheet_list", help="The sheets of the workbook, in order.")

    def _default_date_from(self):
        return default_start(fields.Date.context_today(self))

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if "partner_ids" in fields_list and context.get("active_model") == "res.partner" and context.get("active_ids"):
            partners = self.env["res.partner"].browse(context["active_ids"]).commercial_partner_id
            values["partner_ids"] = [fields.Command.set(partners.ids)]
        return values

    def _compute_sheet_list(self):
        for wizard in self:
            lines = [
                self.env._("%(sheet)s (%(condition)s)", sheet=name, condition=condition) if condition else name
                for name, condition in wizard._workbook_sheets()
            ]
            wizard.sheet_list = "\n".join(f"• {line}" for line in lines)

    def _workbook_sheets(self):
        """[(sheet name, when it is written, or None: always)] of the workbook, in its order: the
        workbook's own list of sheets (``SHEETS``), named as the user will read them. The Feedback
        sheet is always written from here, empty when nobody answered."""
        conditions = {
            "coverage": self.env._("if customers follow a service policy"),
            "forecast": self.env._("if you check the prediction from a day"),
        }
        return [(self.env._(name), conditions.get(key)) for key, name in SHEETS.items()]

    # ---- action
    def action_export(self):
        self.ensure_one()
        self._check_choices()
        data = self._workbook_data()
        if self.calibration_date:
            data.forecast = self._forecast()
        self.write({"file": base64.b64encode(build_workbook(data)), "file_name": self._file_name()})
        return {
            "type": "ir.actions.act_url",
            # the type given: Odoo would guess it from the first 1 KB, which no zip reader opens,
            # and log a warning at every download
            "url": f"/web/content/?model={self._name}&id={self.id}&field=file&filename_field=file_name"
            f"&mimetype={XLSX_MIMETYPE}&download=true",
            # The web client closes the dialog after the download only for an url opened in a
            # new window (action_service.js, _executeActURLAction: "self" and "download" ignore
            # ``close``); a download opened so leaves no tab behind, as core's invoice download.
            "target": "new",
            "close": True,
        }

    # ---- checks
    @api.depends("date_from", "date_to", "company_ids")
    def _compute_error(self):
        # shown in the form as soon as a choice does not fit, before the click
        for wizard in self:
            wizard.error = "\n".join(wizard._choice_problems())

    def _check_choices(self):
        problems = self._choice_problems()
        if problems:
            raise UserError("\n".join(problems))

    def _choice_problems(self):
        """What is wrong with the choices, in the user's words (empty when they fit)."""
        if not self.date_from or not self.date_to:
            return [self.env._("Choose the first and the last day of the period.")]
        problems = []
        today = fields.Date.context_today(self)
        if self.date_from > self.date_to:
            problems.append(
                self.env._(
                    "The period starts on %(start)s, after its end on %(end)s.",
                    start=self.date_from,
                    end=self.date_to,
                )
            )
        if self.date_to > today:
            problems.append(self.env._("The period cannot end after today."))
        if self.date_from < EARLIEST_START or relativedelta(self.date_to, self.date_from).years >= MAX_YEARS:
            # a workbook of every month since year 1 would never finish
            problems.append(
                self.env._(
                    "Choose a period of at most %(years)s years starting after %(earliest)s.",
                    years=MAX_YEARS,
                    earliest=EARLIEST_START.year,
                )
            )
        currencies = self.company_ids.currency_id
        if len(currencies) > 1:
            problems.append(
                self.env._(
                    "These companies keep their books in different currencies (%(currencies)s): "
                    "export them one currency at a time.",
                    currencies=", ".join(currencies.mapped("name")),
                )
            )
        return problems

    def _file_name(self):
        companies = self.company_ids
        label = " + ".join(companies.mapped("name")) if len(companies) <= 2 else f"{len(companies)} companies"
        name = self.env._("Customer base - %(companies)s - %(date)s", companies=label, date=self.date_to)
        return re.sub(r'[\\/:*?"<>|]+', "_", name) + ".xlsx"

    # ---- data
    def _partner_domain(self):
        return self.env["sale.customer.metrics"]._partner_domain(
            partners=self.partner_ids,
            teams=self.team_ids,
            salespeople=self.user_ids,
            stages=self.stage_tag_ids.mapped("code"),
            segments=self.segment_tag_ids.mapped("code"),
        )

    def _workbook_data(self):
        customers, monthly, whole, transitions = [], [], [], []
        today = fields.Date.context_today(self)
        for company in self.company_ids.sorted("id"):
            partners = self.env["res.partner"].with_company(company)._search(self._partner_domain())
            frame = self._customer_frame(company, partners)
            if frame.empty:
                continue
            customers.append(frame.assign(company=company.name))
            lost_days = company.customer_base_lost_days
            orders = self.env["sale.customer.base.history"]._flow_orders(
                company,
                self.date_from,
                self.date_to,
                lost_days,
                order_query=self.env["sale.order"]._search([("company_id", "=", company.id)]),
                partner_query=partners,
            )
            monthly.append(customer_flow(orders, periods("month", self.date_from, self.date_to), lost_days))
            whole.append(customer_flow(orders, [(self.date_from, self.date_to, self.date_to < today)], lost_days))
            transitions.append(self._transitions(company, partners))
        if not customers:
            raise UserError(self.env._("No customer matches these choices. Widen the filters or pick other companies."))
        customers = pd.concat(customers, ignore_index=True)
        if len(self.company_ids) < 2:
            customers = customers.drop(columns=["company"])
        company = self.company_ids.sorted("id")[:1]
        single = len(self.company_ids) == 1
        partner_fields = self.env["res.partner"]._fields
        return WorkbookData(
            customers=customers,
            monthly_flow=self._named_flow(pd.concat(monthly, ignore_index=True)),
            period_flow=self._named_flow(pd.concat(whole, ignore_index=True)),
            transitions=pd.concat(transitions, ignore_index=True),
            company=", ".join(self.company_ids.sorted("id").mapped("name")),
            date_from=self.date_from,
            date_to=self.date_to,
            currency=company.currency_id.name,
            margin_note=self.env._("Margin of the confirmed orders, as computed by Odoo"),
            transitions_note=self.env._("Stage changes recorded by Odoo in the period."),
            lifetime_months=company._customer_base_lifetime_in_use() if single else None,
            max_key_accounts=company.customer_base_max_key_accounts if single else None,
            stage_labels=dict(partner_fields["customer_stage"]._description_selection(self.env)),
            risk_labels=dict(partner_fields["dependency_risk"]._description_selection(self.env)),
            translate=self.env._,
            right_to_left=self.env["res.lang"]._get_data(code=self.env.lang).direction == "rtl",
            feedback=self._feedback_frame(),
            # why the prediction columns are empty, when they are (one company: its model)
            prediction_note=(company.sudo()._customer_base_prediction_problem() or "") if single else "",
        )

    def _forecast(self):
        """The holdout check of the prediction (Forecast sheet) from the orders the user may read."""
        if len(self.company_ids) > 1:
            raise UserError(self.env._("The prediction is checked one company at a time: choose one company."))
        company = self.company_ids
        Engine = self.env["sale.customer.base.engine"]
        orders = Engine._confirmed_orders_sql(
            company,
            until=fields.Datetime.to_datetime(self.date_to) + datetime.timedelta(days=1),
            orders=self.env["sale.order"]._search([("company_id", "=", company.id)]),
            partners=self.env["res.partner"].with_company(company)._search(self._partner_domain()),
        )
        frame = Engine._frame(SQL("SELECT partner_id, day, revenue, margin FROM (%s) AS o", orders))
        try:
            return forecast_check(frame, self.calibration_date, self.date_to)
        except PredictionError:
            raise UserError(
                self.env._(
                    "Check the prediction from a day between the first order and the end of the period "
                    "(%(end)s), so that orders fall on both sides of it.",
                    end=self.date_to,
                )
            ) from None

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

    def _transitions(self, company, partners):
        groups = self.env["sale.customer.stage.history"]._read_group(
            [
                ("company_id", "=", company.id),
                ("date", ">=", self.date_from),
                ("date", "<=", self.date_to),
                ("partner_id", "in", partners),
            ],
            ["old_stage", "new_stage"],
            ["__count"],
        )
        return pd.DataFrame(
            [(old or None, new, count) for old, new, count in groups], columns=["from_stage", "to_stage", "customers"]
        )

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

    def _feedback_frame(self):
        """The feedback answers of the period the user may read, of the customers exported (Feedback sheet)."""
        Report = self.env["sale.customer.feedback.report"]
        rows = []
        several = len(self.company_ids) > 1
        for company in self.company_ids.sorted("id"):
            partners = self.env["res.partner"].with_company(company)._search(self._partner_domain())
            answers = Report.search(
                [
                    ("company_id", "=", company.id),
                    ("date", ">=", self.date_from),
                    ("date", "<=", self.date_to),
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
