"""Export Customer Base to Excel: the choices, their checks, and the download.

The data is read by ``sale.customer.base.workbook`` (reports/), as the user may see it; the
file is built by :func:`..analytics.workbook.build_workbook`.
"""

import base64
import datetime
import re

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..analytics.workbook import SHEETS, build_workbook, default_start

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
            data.forecast = self.env["sale.customer.base.workbook"]._forecast(
                self.company_ids, self.date_to, self.calibration_date, self._partner_domain()
            )
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
        """The workbook's data for these choices (``sale.customer.base.workbook``)."""
        return self.env["sale.customer.base.workbook"]._workbook_data(
            self.company_ids, self.date_from, self.date_to, self._partner_domain()
        )
