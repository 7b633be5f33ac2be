from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class SaleCustomerBaseHistoryRebuild(models.TransientModel):
    """Rebuild the customer base history from a date, e.g. after importing old orders."""

    _name = "sale.customer.base.history.rebuild"
    _description = "Rebuild Customer Base History"

    date_from = fields.Date(
        "Rebuild From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(month=1, day=1),
        help="Months, quarters and years from the one holding this date up to today are computed again.",
    )
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        required=True,
        default=lambda self: self.env.companies,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )

    def action_rebuild(self):
        self.ensure_one()
        # the rebuild runs as superuser: for sales managers only (the access rights say so too)
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(self.env._("Only sales managers rebuild the customer history."))
        if not self.company_ids:
            # required only in the form: an import or an RPC call may leave it empty
            raise UserError(self.env._("Choose the companies whose customer history to rebuild: none was chosen."))
        foreign = self.company_ids - self.env.user.company_ids
        if foreign:
            raise AccessError(
                self.env._(
                    "You do not work for %(companies)s: their customer history is not yours to rebuild.",
                    companies=", ".join(foreign.mapped("name")),
                )
            )
        if self.date_from > fields.Date.context_today(self):
            raise UserError(self.env._("The history cannot be rebuilt from a date in the future."))
        History = self.env["sale.customer.base.history"].sudo()
        for company in self.company_ids.sorted("id"):
            History._rebuild(company, self.date_from)
        return self.env["ir.actions.act_window"]._for_xml_id("sale_customer_base.sale_customer_base_history_action")
