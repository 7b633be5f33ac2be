from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL

# An order's untaxed amount and margin in company currency, at the order's own rate (the
# order's alias is ``so`` in every query of the addon). An order without a usable rate counts
# at rate 1 rather than vanishing.
ORDER_REVENUE = SQL("so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)")
ORDER_MARGIN = SQL("COALESCE(so.margin, 0) / COALESCE(NULLIF(so.currency_rate, 0), 1)")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        orders.filtered(lambda order: order.state == "sale")._raise_customer_rank()
        orders._refresh_customer_base()
        return orders

    def write(self, vals):
        if "state" not in vals and "partner_id" not in vals:
            return super().write(vals)
        previous = self.partner_id
        res = super().write(vals)
        if vals.get("state") == "sale":
            self._raise_customer_rank()
        self._refresh_customer_base(previous)
        return res

    def _raise_customer_rank(self):
        """A confirmed order makes its partner a customer, as a posted invoice does in ``account``:
        Odoo's *Customers* menus filter on the rank, and would otherwise hide who buys without an
        invoice yet."""
        self.partner_id.commercial_partner_id._increase_rank("customer_rank")

    def _refresh_customer_base(self, previous_partners=None):
        """Refresh the customers of these orders (confirmed, cancelled, new quotation)."""
        partners_by_company = defaultdict(lambda: self.env["res.partner"])
        for order in self:
            partners_by_company[order.company_id] |= order.partner_id.commercial_partner_id
            if previous_partners:
                partners_by_company[order.company_id] |= previous_partners.commercial_partner_id
        Engine = self.env["sale.customer.base.engine"].sudo()
        for company, partners in partners_by_company.items():
            Engine._refresh_customers(company, partners)
        # an order confirmed or cancelled may win a customer back, or undo it
        customers = self.partner_id | (previous_partners or self.env["res.partner"])
        self.env["sale.customer.reactivation"].sudo()._update_won_back(customers)
