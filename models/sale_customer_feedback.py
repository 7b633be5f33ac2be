"""One feedback answer of a customer: how the sale went, and what would make it buy more.

Asked at the follow-up after an order (or at the sale, or at the first
contact). The answers feed the customer's temperature, its share of wallet
and the advocate stage (see :mod:`..analytics.temperature`): the customer is
refreshed as soon as an answer is saved.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .guards import check_calculated_values, check_people, check_ranges

SATISFACTION = [
    ("1", "1 - Very unhappy"),
    ("2", "2 - Unhappy"),
    ("3", "3 - Neutral"),
    ("4", "4 - Happy"),
    ("5", "5 - Very happy"),
]
RECOMMENDATION = [(str(score), str(score)) for score in range(11)]
SATISFACTION_FIELDS = ("satisfaction_product", "satisfaction_service", "satisfaction_delivery", "satisfaction_moment")
SCORE_FIELDS = {**dict.fromkeys(SATISFACTION_FIELDS, SATISFACTION), "recommendation": RECOMMENDATION}
# what the engine reads: a change of these refreshes the customer
ENGINE_INPUTS = frozenset(
    {*SATISFACTION_FIELDS, "recommendation", "complaint", "referred_partner_id", "date", "partner_id", "company_id"}
)
# what changes the customers, as *Update Loyalty* does: only on customers the user works
CUSTOMER_EFFECTS = ENGINE_INPUTS | {"share_of_wallet"}
# worked out from the answers, the order and the customer (``share_applied`` by ``_apply_to_customers``)
CALCULATED_FIELDS = ("satisfaction", "recommender", "salesperson_id", "share_applied")


class SaleCustomerFeedback(models.Model):
    _name = "sale.customer.feedback"
    _description = "Customer Feedback"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        tracking=True,
        # the commercial partner: a company, or a person buying for itself
        domain="['|', ('is_company', '=', True), ('parent_id', '=', False), "
        "'|', ('company_id', '=', False), ('company_id', '=', company_id)]",
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    order_id = fields.Many2one(
        "sale.order",
        index="btree_not_null",
        check_company=True,
        domain="[('partner_id', 'child_of', partner_id), ('state', '=', 'sale')]",
        ondelete="set null",
    )
    user_id = fields.Many2one(
        "res.users", "Asked By", required=True, default=lambda self: self.env.user, domain=[("share", "=", False)]
    )
    salesperson_id = fields.Many2one(
        "res.users",
        compute="_compute_salesperson_id",
        store=True,
        index="btree_not_null",
        help="The order's salesperson, else the customer's.",
    )
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    channel = fields.Selection(
        [("phone", "Phone"), ("email", "Email"), ("visit", "Visit"), ("other", "Other")],
        required=True,
        default="phone",
    )
    moment = fields.Selection(
        [("first_contact", "First contact"), ("sale", "At the sale"), ("follow_up", "After the sale (follow-up)")],
        "When Asked",
        required=True,
        default="follow_up",
    )
    satisfaction_product = fields.Selection(SATISFACTION, "The Product", tracking=True)
    satisfaction_service = fields.Selection(SATISFACTION, "Our Service and Staff", tracking=True)
    satisfaction_delivery = fields.Selection(SATISFACTION, "Delivery", tracking=True)
    satisfaction_moment = fields.Selection(
        SATISFACTION, "The Moment of Sale", tracking=True, help="Was it the right time, the right way to sell?"
    )
    satisfaction = fields.Float(
        "Satisfaction (1-5)",
        compute="_compute_scores",
        store=True,
        aggregator="avg",
        help="Mean of the satisfaction scores answered.",
    )
    recommendation = fields.Selection(
        RECOMMENDATION,
        "How Likely to Recommend Us (0-10)",
        tracking=True,
        help="9-10: promoter, 7-8: passive, 0-6: detractor.",
    )
    recommender = fields.Selection(
        [("promoter", "Promoter"), ("passive", "Passive"), ("detractor", "Detractor")],
        compute="_compute_scores",
        store=True,
    )
    share_of_wallet = fields.Float(
        "Share of Its Purchases Made With Us (%)",
        tracking=True,
        help="The customer's own estimate. Leave at 0 when not asked: it then changes nothing.",
    )
    share_applied = fields.Boolean(
        "Sets the Share of Wallet",
        readonly=True,
        help="The share answered became the customer's share of wallet (no one set it by hand later).",
    )
    buy_more = fields.Text("What Would Make You Buy More From Us?")
    complaint = fields.Boolean(tracking=True, help="A complaint makes an active customer at risk.")
    complaint_note = fields.Text("What Went Wrong")
    referred_partner_id = fields.Many2one(
        "res.partner",
        "Referred a Customer",
        tracking=True,
        help="A customer it sent us. With a 9-10 recommendation, a loyal customer becomes an advocate.",
    )

    @api.depends("partner_id", "order_id")
    def _compute_display_name(self):
        for feedback in self:
            feedback.display_name = self.env._(
                "Feedback of %(customer)s", customer=feedback.partner_id.display_name or ""
            )

    @api.depends("order_id.user_id", "partner_id.user_id")
    def _compute_salesperson_id(self):
        for feedback in self:
            feedback.salesperson_id = feedback.order_id.user_id or feedback.partner_id.user_id

    @api.depends(*SATISFACTION_FIELDS, "recommendation")
    def _compute_scores(self):
        for feedback in self:
            scores = [int(feedback[fname]) for fname in SATISFACTION_FIELDS if feedback[fname]]
            feedback.satisfaction = sum(scores) / len(scores) if scores else 0.0
            if not feedback.recommendation:
                feedback.recommender = False
                continue
            score = int(feedback.recommendation)
            feedback.recommender = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"

    @api.constrains("share_of_wallet")
    def _check_share_of_wallet(self):
        for feedback in self:
            if not 0 <= feedback.share_of_wallet <= 100:
                raise ValidationError(
                    self.env._(
                        "The share of purchases made with us is a percentage between 0 and 100, not %(value)s.",
                        value=feedback.share_of_wallet,
                    )
                )

    @api.constrains("partner_id", "order_id", "company_id")
    def _check_customer_and_order(self):
        for feedback in self:
            partner = feedback.partner_id
            if partner != partner.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Feedback is recorded on the customer, %(customer)s, not on its contact %(contact)s.",
                        customer=partner.commercial_partner_id.display_name,
                        contact=partner.display_name,
                    )
                )
            if partner.company_id and partner.company_id != feedback.company_id:
                raise ValidationError(
                    self.env._(
                        "%(customer)s is a customer of %(other)s: record its feedback in that company, not in "
                        "%(company)s.",
                        customer=partner.display_name,
                        other=partner.company_id.name,
                        company=feedback.company_id.name,
                    )
                )
            order = feedback.order_id
            if order and order.partner_id.commercial_partner_id != partner:
                raise ValidationError(
                    self.env._(
                        "Order %(order)s is not an order of %(customer)s.", order=order.name, customer=partner.name
                    )
                )
            if order and order.state != "sale":
                raise ValidationError(
                    self.env._(
                        "Order %(order)s is not confirmed: feedback is asked about confirmed orders.",
                        order=order.name,
                    )
                )

    @api.model
    def _form_action(self, partner, order=None, moment="follow_up"):
        """The feedback form in a dialog, for ``partner`` (and its ``order``)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Feedback of %(customer)s", customer=partner.display_name),
            "res_model": "sale.customer.feedback",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_partner_id": partner.id,
                "default_order_id": order.id if order else False,
                "default_moment": moment,
                "default_company_id": (order.company_id if order else self.env.company).id,
            },
        }

    @api.model
    def _check_score_values(self, vals):
        """A clear message for scores out of their range (imports, RPC), before Odoo's generic one."""
        for fname, choices in SCORE_FIELDS.items():
            value = vals.get(fname)
            if value in (None, False, ""):
                continue
            allowed = [key for key, _label in choices]
            if str(value) not in allowed:
                raise ValidationError(
                    self.env._(
                        "%(question)s is answered from %(low)s to %(high)s, not %(value)s.",
                        question=self._fields[fname]._description_string(self.env),
                        low=allowed[0],
                        high=allowed[-1],
                        value=value,
                    )
                )
            vals[fname] = str(value)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_score_values(vals)
            check_ranges(self, vals, dates=("date",))
            if not self.env.su:
                check_calculated_values(self, vals, CALCULATED_FIELDS)
        feedbacks = super().create(vals_list)
        if not self.env.su:
            check_people(feedbacks, ["user_id"])
            feedbacks._check_worked_customers()
        feedbacks._apply_to_customers()
        return feedbacks

    def write(self, vals):
        self._check_score_values(vals)
        check_ranges(self, vals, dates=("date",))
        effects = not self.env.su and bool(CUSTOMER_EFFECTS.intersection(vals))
        if not self.env.su:
            check_calculated_values(self, vals, CALCULATED_FIELDS)
        if effects:
            self._check_worked_customers()  # the customers it leaves are refreshed too
        before = self.partner_id
        res = super().write(vals)
        if not self.env.su and {"user_id", "company_id"}.intersection(vals):
            check_people(self, ["user_id"])
        if effects:
            self._check_worked_customers()
        if "share_of_wallet" in vals or "referred_partner_id" in vals:
            self._apply_to_customers()
        elif ENGINE_INPUTS.intersection(vals):
            self._refresh_customers(before)
        return res

    def unlink(self):
        partners_by_company = [(feedback.company_id, feedback.partner_id) for feedback in self]
        res = super().unlink()
        Engine = self.env["sale.customer.base.engine"].sudo()
        for company, partner in partners_by_company:
            Engine._refresh_customers(company, partner)
        return res

    def _check_worked_customers(self):
        """An answer changes its customer (share of wallet, temperature, stage) and the customer it
        referred (its *Referred By*), which *Update Loyalty* lets a salesperson change on her own
        customers only: the same rule here, and no customer she may not see is named."""
        for feedback in self.sudo():  # the answer's customers, then checked with the user's rights
            company = feedback.company_id
            partner = feedback.partner_id.with_env(self.env)
            referred = feedback.referred_partner_id.with_env(self.env)
            for fname, customer in (("partner_id", partner), ("referred_partner_id", referred)):
                if customer and not customer.has_access("read"):
                    raise AccessError(
                        self.env._(
                            "%(field)s: you may not see this customer; choose one you can see.",
                            field=self._fields[fname]._description_string(self.env),
                        )
                    )
            customers = partner | referred.commercial_partner_id
            others = customers - customers.with_company(company)._customer_base_worked_by_user()
            if others:
                raise AccessError(
                    self.env._(
                        "%(customer)s is not one of your customers: ask its salesperson or a sales manager.",
                        customer=others[0].display_name,
                    )
                )

    def _apply_to_customers(self):
        """Give the customers the share of wallet they answered (unless a person set it by hand on a
        later day) and the referral they told us about; then refresh them (temperature, stage)."""
        for feedback in self.sorted(lambda feedback: (feedback.date, feedback.id)):
            partner = feedback.partner_id.with_company(feedback.company_id).sudo()
            if feedback.share_of_wallet:
                manual_later = (
                    partner.share_of_wallet_source == "manual"
                    and partner.share_of_wallet_date
                    and partner.share_of_wallet_date > feedback.date
                )
                feedback.sudo().share_applied = not manual_later  # set by Odoo, refused to people
                if not manual_later:
                    partner.with_context(customer_feedback_share=feedback.date).write(
                        {"share_of_wallet": feedback.share_of_wallet}
                    )
            referred = feedback.referred_partner_id.commercial_partner_id.sudo()
            if referred and referred != partner and not referred.referred_by_id:
                referred.referred_by_id = partner
        self._refresh_customers()

    def _refresh_customers(self, partners=None):
        """Refresh the customers of these answers (and ``partners``, their customers before a change)."""
        Engine = self.env["sale.customer.base.engine"].sudo()
        for company in self.company_id:
            customers = self.filtered(lambda feedback, company=company: feedback.company_id == company).partner_id
            Engine._refresh_customers(company, customers | (partners or customers))
