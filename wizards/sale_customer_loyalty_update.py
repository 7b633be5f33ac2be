from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError


class SaleCustomerLoyaltyUpdate(models.TransientModel):
    """The loyalty inputs a salesperson records on a customer she works (share of wallet,
    "recommends us", referred by), without the right to edit contacts."""

    _name = "sale.customer.loyalty.update"
    _description = "Update Customer Loyalty"

    partner_id = fields.Many2one("res.partner", "Customer", required=True, readonly=True)
    share_of_wallet = fields.Float(
        "Share of Wallet (%)",
        help="Your estimate of how much of what this customer buys in our line of business it buys from us.",
    )
    is_customer_advocate = fields.Boolean("Recommends Us")
    referred_by_id = fields.Many2one("res.partner")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        partner = self.env["res.partner"].browse(values.get("partner_id")).commercial_partner_id
        if partner:
            values.update(
                partner_id=partner.id,
                share_of_wallet=partner.share_of_wallet,
                is_customer_advocate=partner.is_customer_advocate,
                referred_by_id=partner.referred_by_id.id,
            )
        return values

    @api.constrains("share_of_wallet")
    def _check_share_of_wallet(self):
        for update in self:
            if not 0 <= update.share_of_wallet <= 100:
                raise ValidationError(
                    self.env._(
                        "The share of wallet is a percentage between 0 and 100, not %(value)s.",
                        value=update.share_of_wallet,
                    )
                )

    def action_apply(self):
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        partner.check_access("read")
        if not partner._customer_base_worked_by_user():
            raise AccessError(
                self.env._(
                    "%(customer)s is not one of your customers: ask its salesperson or a sales manager.",
                    customer=partner.display_name,
                )
            )
        # the wizard is the salesperson's write path to these inputs only
        partner.sudo().write(
            {
                "share_of_wallet": self.share_of_wallet,
                "is_customer_advocate": self.is_customer_advocate,
                "referred_by_id": self.referred_by_id.id,
            }
        )
        return {"type": "ir.actions.act_window_close"}
