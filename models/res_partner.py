"""The customer on its partner form: its figures, its inputs, its buttons.

The figures are the current company's row of ``sale.customer.metrics`` (written by the
engine only, seen under its record rules), shown here as related fields so that forms,
filters and other code keep reading ``partner.customer_stage``. What a person gives about a
customer (share of wallet, "recommends us", key account reason and manager, referred by) is
company dependent on the partner and refreshes the customer at once.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import Query

from .crm_lead import READINESS
from .sale_customer_base_engine import MANUAL_FIELDS, METRIC_FNAMES
from .sale_customer_contact_engine import CONTACT_FNAMES
from .sale_customer_metrics import CALENDAR_FIELDS, SHARED_FIELDS

KEY_ACCOUNT_REASONS = [
    ("potential", "Growth Potential"),
    ("reference", "Reputation / Reference"),
    ("innovator", "Innovator"),
    ("demanding", "Demanding Customer"),
]
MANUAL_FIELDS_SET = frozenset(MANUAL_FIELDS)
ENGINE_FIELDS = frozenset(METRIC_FNAMES) | frozenset(CONTACT_FNAMES) | CALENDAR_FIELDS
# Engine values drawn from the customer's orders, feedback or contacts: an "own documents"
# salesperson reads them on her customers only (the record rules of sale.customer.metrics)
ORDER_FIGURE_FIELDS = (
    ENGINE_FIELDS - frozenset(SHARED_FIELDS) - {"customer_base_signature", "customer_base_ranks_pending"}
)
# Who may see a customer's figures, plan and feedback follows from who owns it: only sales
# managers change these (``_check_ownership_values``), whatever the client.
OWNERSHIP_FIELDS = ("user_id", "key_account_manager_id", "key_account_reason")
# the partner's fields pointing to its row of figures (see ``_compute_customer_metrics_id``)
FIGURE_ROWS = (
    "customer_metrics_id",
    "customer_shared_metrics_id",
    "customer_figures_hidden",
    "customer_base_ranks_pending",
)
SHARE_SOURCES = [("manual", "Set by hand"), ("feedback", "Customer's answer in a feedback")]


def _plain(value):
    """A field value as a client writes it: a record as its id, empty as False."""
    return value.id if isinstance(value, models.BaseModel) else value or False


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ---- the customer's figures in the current company: its row of sale.customer.metrics
    customer_metrics_id = fields.Many2one(
        "sale.customer.metrics",
        "Customer Figures",
        compute="_compute_customer_metrics_id",
        search="_search_customer_metrics_id",
        groups="sales_team.group_sale_salesman",
        help="The customer's figures in the current company, if you may see them (your customers, "
        "or every customer with access to all documents).",
    )
    customer_shared_metrics_id = fields.Many2one(
        "sale.customer.metrics",
        "Customer Standing",
        compute="_compute_customer_metrics_id",
        search="_search_customer_shared_metrics_id",
        groups="sales_team.group_sale_salesman",
        help="The customer's row of figures in the current company, for what every salesperson sees: "
        "stage, classes, key account, temperature.",
    )
    customer_figures_hidden = fields.Boolean(
        "Figures of Other Salespeople",
        compute="_compute_customer_metrics_id",
        groups="sales_team.group_sale_salesman",
        help="A customer of another salesperson: you see its stage and segment, not its orders and figures.",
    )
    customer_stage = fields.Selection(related="customer_shared_metrics_id.customer_stage")
    customer_order_count = fields.Integer(related="customer_metrics_id.customer_order_count", compute_sudo=False)
    first_order_date = fields.Date(related="customer_metrics_id.first_order_date", compute_sudo=False)
    last_order_date = fields.Date(related="customer_metrics_id.last_order_date", compute_sudo=False)
    days_since_last_order = fields.Integer(related="customer_metrics_id.days_since_last_order", compute_sudo=False)
    median_order_interval = fields.Float(related="customer_metrics_id.median_order_interval", compute_sudo=False)
    next_order_date = fields.Date(related="customer_metrics_id.next_order_date", compute_sudo=False)
    revenue_to_date = fields.Float(related="customer_metrics_id.revenue_to_date", compute_sudo=False)
    margin_to_date = fields.Float(related="customer_metrics_id.margin_to_date", compute_sudo=False)
    average_order_value = fields.Float(related="customer_metrics_id.average_order_value", compute_sudo=False)
    purchase_frequency = fields.Float(related="customer_metrics_id.purchase_frequency", compute_sudo=False)
    profitability = fields.Float(related="customer_metrics_id.profitability", compute_sudo=False)
    customer_lifetime_months = fields.Float(related="customer_metrics_id.customer_lifetime_months", compute_sudo=False)
    ltv = fields.Float(related="customer_metrics_id.ltv", compute_sudo=False)
    ltv_basis = fields.Selection(related="customer_metrics_id.ltv_basis", compute_sudo=False)
    # shown beside the values it concerns, never offered as a filter (no search method)
    customer_base_ranks_pending = fields.Boolean(
        "Waiting for the Nightly Ranking",
        compute="_compute_customer_base_ranks_pending",
        groups="sales_team.group_sale_salesman",
    )
    revenue_window = fields.Float(related="customer_metrics_id.revenue_window", compute_sudo=False)
    window_order_count = fields.Integer(related="customer_metrics_id.window_order_count", compute_sudo=False)
    revenue_share = fields.Float(related="customer_metrics_id.revenue_share", compute_sudo=False)
    abc_class = fields.Selection(related="customer_shared_metrics_id.abc_class")
    xyz_class = fields.Selection(related="customer_shared_metrics_id.xyz_class")
    customer_segment = fields.Selection(related="customer_shared_metrics_id.customer_segment")
    dependency_risk = fields.Selection(related="customer_shared_metrics_id.dependency_risk")
    is_key_account = fields.Boolean(related="customer_shared_metrics_id.is_key_account")
    is_key_account_team = fields.Boolean(related="customer_shared_metrics_id.is_key_account_team")
    is_key_account_salesperson = fields.Boolean(related="customer_shared_metrics_id.is_key_account_salesperson")
    customer_temperature = fields.Selection(related="customer_shared_metrics_id.customer_temperature")
    temperature_score = fields.Float(related="customer_metrics_id.temperature_score", compute_sudo=False)
    temperature_satisfaction = fields.Float(related="customer_metrics_id.temperature_satisfaction", compute_sudo=False)
    temperature_recommendation = fields.Float(
        related="customer_metrics_id.temperature_recommendation", compute_sudo=False
    )
    temperature_complaints = fields.Integer(related="customer_metrics_id.temperature_complaints", compute_sudo=False)
    temperature_cancellations = fields.Integer(
        related="customer_metrics_id.temperature_cancellations", compute_sudo=False
    )
    temperature_contact_days = fields.Integer(
        related="customer_metrics_id.temperature_contact_days", compute_sudo=False
    )
    temperature_contact_date = fields.Date(related="customer_metrics_id.temperature_contact_date", compute_sudo=False)
    temperature_previous = fields.Selection(related="customer_metrics_id.temperature_previous", compute_sudo=False)
    temperature_cooled = fields.Boolean(related="customer_metrics_id.temperature_cooled", compute_sudo=False)
    temperature_alert = fields.Selection(related="customer_shared_metrics_id.temperature_alert")
    last_feedback_date = fields.Date(related="customer_metrics_id.last_feedback_date", compute_sudo=False)
    feedback_advocate = fields.Boolean(related="customer_metrics_id.feedback_advocate", compute_sudo=False)
    customer_p_alive = fields.Float(related="customer_metrics_id.customer_p_alive", compute_sudo=False)
    expected_orders_90 = fields.Float(related="customer_metrics_id.expected_orders_90", compute_sudo=False)
    expected_orders_365 = fields.Float(related="customer_metrics_id.expected_orders_365", compute_sudo=False)
    predicted_revenue_12m = fields.Float(related="customer_metrics_id.predicted_revenue_12m", compute_sudo=False)
    predicted_margin_12m = fields.Float(related="customer_metrics_id.predicted_margin_12m", compute_sudo=False)
    predicted_clv = fields.Float(related="customer_metrics_id.predicted_clv", compute_sudo=False)
    customer_value_at_risk = fields.Float(related="customer_metrics_id.customer_value_at_risk", compute_sudo=False)
    customer_stage_cause = fields.Selection(related="customer_metrics_id.customer_stage_cause", compute_sudo=False)
    customer_prediction_note = fields.Char(related="customer_metrics_id.prediction_note", compute_sudo=False)
    rfm_recency = fields.Integer(related="customer_metrics_id.rfm_recency", compute_sudo=False)
    rfm_frequency = fields.Integer(related="customer_metrics_id.rfm_frequency", compute_sudo=False)
    rfm_monetary = fields.Integer(related="customer_metrics_id.rfm_monetary", compute_sudo=False)
    rfm_score = fields.Char(related="customer_metrics_id.rfm_score", compute_sudo=False)
    rfm_segment = fields.Selection(related="customer_metrics_id.rfm_segment", compute_sudo=False)
    contact_rule_id = fields.Many2one(related="customer_shared_metrics_id.contact_rule_id")
    last_contact_date = fields.Date(related="customer_metrics_id.last_contact_date", compute_sudo=False)
    last_contact_channel = fields.Selection(related="customer_metrics_id.last_contact_channel", compute_sudo=False)
    next_contact_date = fields.Date(related="customer_metrics_id.next_contact_date", compute_sudo=False)
    next_contact_channel = fields.Selection(related="customer_metrics_id.next_contact_channel", compute_sudo=False)
    contact_days_overdue = fields.Integer(related="customer_metrics_id.contact_days_overdue", compute_sudo=False)
    contact_yearly_cost = fields.Float(related="customer_metrics_id.contact_yearly_cost", compute_sudo=False)
    contact_costs_more = fields.Boolean(related="customer_metrics_id.contact_costs_more", compute_sudo=False)

    # ---- inputs a person gives (company dependent where they differ per company)
    key_account_reason = fields.Selection(
        KEY_ACCOUNT_REASONS,
        company_dependent=True,
        tracking=True,
        groups="sales_team.group_sale_salesman",
        help="Makes the customer a key account whatever its revenue.",
    )
    key_account_manager_id = fields.Many2one(
        "res.users",
        company_dependent=True,
        tracking=True,
        groups="sales_team.group_sale_salesman",
        domain="[('share', '=', False)]",
    )
    customer_key_account_manager_id = fields.Many2one(
        related="commercial_partner_id.key_account_manager_id",
        string="Company's Key Account Manager",
        groups="sales_team.group_sale_salesman",
    )
    share_of_wallet = fields.Float(
        "Share of Wallet (%)",
        company_dependent=True,
        tracking=True,
        groups="sales_team.group_sale_salesman",
        help="Your estimate of how much of what this customer buys in our line of business it buys from us. "
        "From 80% a regular customer counts as loyal.",
    )
    is_customer_advocate = fields.Boolean(
        "Recommends Us",
        company_dependent=True,
        tracking=True,
        groups="sales_team.group_sale_salesman",
        help="A loyal customer that recommends us is an advocate, even without a recorded referral.",
    )
    is_own_customer = fields.Boolean(
        "My Customer",
        compute="_compute_is_own_customer",
        search="_search_is_own_customer",
        groups="sales_team.group_sale_salesman",
        help="You are its salesperson, or it has a confirmed order of yours.",
    )
    referred_by_id = fields.Many2one(
        "res.partner", index="btree_not_null", tracking=True, groups="sales_team.group_sale_salesman"
    )
    referral_count = fields.Integer(
        "Referred Customers", compute="_compute_referral_count", groups="sales_team.group_sale_salesman"
    )
    reactivation_count = fields.Integer(
        "Win-Back Attempts", compute="_compute_reactivation_count", groups="sales_team.group_sale_salesman"
    )

    # ---- display helpers
    customer_revenue_chart = fields.Html(related="customer_metrics_id.revenue_chart", compute_sudo=False)
    customer_base_currency_id = fields.Many2one(
        "res.currency", compute="_compute_customer_base_display", groups="sales_team.group_sale_salesman"
    )
    customer_base_refresh_pending = fields.Boolean(
        "Figures Being Updated",
        compute="_compute_customer_base_refresh_pending",
        groups="sales_team.group_sale_salesman",
        help="An order of this customer was confirmed or cancelled moments ago: its figures are being "
        "updated in the background and show in a few seconds.",
    )
    customer_base_computed_on = fields.Datetime(
        "Segments Computed On",
        compute="_compute_customer_base_display",
        groups="sales_team.group_sale_salesman",
        help="ABC classes, shares of revenue and key accounts are ranked over the whole customer base by the "
        "nightly job; counts, dates and stage are refreshed as soon as an order is confirmed or cancelled.",
    )

    customer_at_risk_reason = fields.Char(related="customer_metrics_id.customer_at_risk_reason", compute_sudo=False)

    @property
    def _mail_post_access(self):
        # Salespeople log calls and plan follow-ups on the customers they work, which they
        # may read but often not edit (contact editing is a right of its own): posting and
        # scheduling activities ask for read access from them, write access from others.
        return "read" if self.env.user.has_group("sales_team.group_sale_salesman") else "write"

    def action_open_stage_changes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale_customer_base.sale_customer_stage_history_action")
        action.update(
            domain=[("partner_id", "=", self.commercial_partner_id.id)],
            context={},
            view_mode="list,pivot,graph",
            views=[(False, "list"), (False, "pivot"), (False, "graph")],
        )
        return action

    def _compute_referral_count(self):
        groups = self.env["res.partner"]._read_group(
            [("referred_by_id", "child_of", self.commercial_partner_id.ids)],
            ["referred_by_id"],
            ["__count"],
        )
        counts = {}
        for referrer, count in groups:
            commercial = referrer.commercial_partner_id.id
            counts[commercial] = counts.get(commercial, 0) + count
        for partner in self:
            partner.referral_count = counts.get(partner.commercial_partner_id.id, 0)

    def _compute_reactivation_count(self):
        groups = self.env["sale.customer.reactivation"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.reactivation_count = counts.get(partner.commercial_partner_id.id, 0)

    def action_open_loyalty_update(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Loyalty of %(customer)s", customer=self.commercial_partner_id.display_name),
            "res_model": "sale.customer.loyalty.update",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def _customer_base_worked_by_user(self):
        """The partners of ``self`` whose customer the user works: all for "all documents"
        salespeople and managers, her own customers for "own documents" salespeople."""
        if not self.env["sale.customer.metrics"]._customer_figures_restricted():
            return self
        return self.search([("id", "in", self.ids), ("is_own_customer", "=", True)])

    def action_open_reactivations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale_customer_base.sale_customer_reactivation_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    @api.depends_context("company")
    def _compute_customer_base_refresh_pending(self):
        queued = (
            self.env["sale.customer.base.refresh"]
            .sudo()
            .search([("company_id", "=", self.env.company.id), ("partner_id", "in", self.commercial_partner_id.ids)])
        )
        for partner in self:
            partner.customer_base_refresh_pending = partner.commercial_partner_id in queued.partner_id

    @api.depends_context("company")
    def _compute_customer_base_display(self):
        for partner in self:
            partner.customer_base_currency_id = self.env.company.currency_id
            partner.customer_base_computed_on = self.env.company.customer_base_last_run

    @api.constrains("share_of_wallet")
    def _check_share_of_wallet(self):
        for partner in self:
            if not 0 <= (partner.share_of_wallet or 0.0) <= 100:
                raise ValidationError(
                    self.env._(
                        "The share of wallet of %(customer)s is a percentage between 0 and 100, not %(value)s.",
                        customer=partner.display_name,
                        value=partner.share_of_wallet,
                    )
                )

    @api.onchange("key_account_manager_id")
    def _onchange_key_account_manager_id(self):
        manager = self.key_account_manager_id
        if not manager:
            return None
        company = self.env.company
        limit = company.customer_base_max_key_accounts
        # the saved customer's figures: the form's draft has no row of its own
        customer = self._origin.commercial_partner_id
        held = self.env["sale.customer.key.account"]._key_accounts_with(
            company, manager, customer, customer.is_key_account
        )
        if held <= limit:
            return None
        return {
            "warning": {
                "title": self.env._("Too many key accounts"),
                "message": self.env._(
                    "With this one, %(manager)s would manage %(count)s key accounts; the limit is %(limit)s. "
                    "You can save anyway, or choose another manager.",
                    manager=manager.name,
                    count=held,
                    limit=limit,
                ),
            }
        }

    def _setup_complete(self):
        super()._setup_complete()
        # a related field depends on the context of its target only: the row shown is the current
        # company's, and the same customer may show figures to a manager and none to a salesperson
        for field in self._fields.values():
            if field.related and field.related.split(".")[0] in FIGURE_ROWS:
                field._depends_context = ("company", "uid")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._drop_engine_values(vals)
        self.browse()._check_ownership_values(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if "share_of_wallet" in vals:
            # where the share came from: a feedback answer, or a person on the form
            from_feedback = self.env.context.get("customer_feedback_share")
            vals = dict(
                vals,
                share_of_wallet_source="feedback" if from_feedback else "manual",
                share_of_wallet_date=from_feedback or fields.Date.context_today(self),
            )
        self._drop_engine_values(vals)
        self._check_ownership_values([vals])
        if not MANUAL_FIELDS_SET.intersection(vals):
            return super().write(vals)
        affected = self.commercial_partner_id | self.referred_by_id.commercial_partner_id
        res = super().write(vals)
        affected |= self.referred_by_id.commercial_partner_id
        self.env["sale.customer.base.engine"].sudo()._refresh_customers(self.env.company, affected)
        return res

    def _check_ownership_values(self, vals_list):
        """Refuse who owns a customer unless a sales manager sets it (``self``: the partners written,
        none on create).

        Salespeople may edit contacts (with ``sale_crm`` every one may), but the salesperson, the key
        account manager and the key account reason decide who reads a customer's figures, plan and
        feedback: only sales managers change them. A new partner may name its creator as salesperson
        (a lead converted by its salesperson): it has no orders, hence nothing to disclose.
        """
        if self.env.su or self.env.user.has_group("sales_team.group_sale_manager"):
            return
        for vals in vals_list:
            claimed = [
                fname
                for fname in OWNERSHIP_FIELDS
                if fname in vals
                and (
                    # a client may send back unchanged values: only a change is a claim
                    any(_plain(partner[fname]) != (vals[fname] or False) for partner in self.sudo())
                    if self
                    else vals[fname] and (fname, vals[fname]) != ("user_id", self.env.uid)
                )
            ]
            if claimed:
                raise AccessError(
                    self.env._(
                        "Only sales managers can change %(fields)s: they decide who sees a customer's "
                        "figures and plans. Ask a sales manager.",
                        fields=", ".join(self._fields[fname]._description_string(self.env) for fname in claimed),
                    )
                )

    @api.model
    def _drop_engine_values(self, vals):
        """Remove the engine's values from ``vals``: they are written by the engine only (in SQL).

        ``readonly`` only hides them in forms; an import, an RPC ``write`` or a copy would
        otherwise forge a stage (and its history), a key account flag or revenue.
        """
        for fname in ENGINE_FIELDS.intersection(vals):
            del vals[fname]

    # ---- the customer's figures (sale.customer.metrics)
    @api.depends_context("company", "uid")
    def _compute_customer_metrics_id(self):
        """The current company's row of the commercial partner (contacts show their company's),
        and the same row only where the user may read it."""
        Metrics = self.env["sale.customer.metrics"]
        rows = Metrics.sudo().search_fetch(
            [("company_id", "=", self.env.company.id), ("partner_id", "in", self.commercial_partner_id.ids)],
            ["partner_id"],
        )
        readable = rows if self.env.su else Metrics.browse(Metrics._search([("id", "in", rows.ids)]))
        by_partner = {row.partner_id.id: row.id for row in rows}
        readable_ids = set(readable.ids)
        for partner in self:
            row_id = by_partner.get(partner.commercial_partner_id.id, False)
            partner.customer_shared_metrics_id = row_id
            partner.customer_metrics_id = row_id if row_id in readable_ids else False
            partner.customer_figures_hidden = bool(row_id) and row_id not in readable_ids

    @api.depends_context("company", "uid")
    def _compute_customer_base_ranks_pending(self):
        for partner in self:
            partner.customer_base_ranks_pending = partner.customer_shared_metrics_id.sudo().customer_base_ranks_pending

    @api.model
    def _invalidate_customer_figures(self):
        """Forget the figures read so far: the engine writes its table in SQL."""
        self.env["sale.customer.metrics"].invalidate_model()
        self.invalidate_model(
            [
                fname
                for fname, field in self._fields.items()
                if fname in FIGURE_ROWS or (field.related and field.related.split(".")[0] in FIGURE_ROWS)
            ]
        )

    def _search_customer_metrics_id(self, operator, value):
        return self._customer_metrics_domain(self.env["sale.customer.metrics"], operator, value)

    def _search_customer_shared_metrics_id(self, operator, value):
        return self._customer_metrics_domain(self.env["sale.customer.metrics"].sudo(), operator, value)

    @api.model
    def _customer_metrics_domain(self, Metrics, operator, value):
        """Partners (contacts with their company) whose row of the current company is among
        ``value`` (ids or a query of ``Metrics``), or who have none (``= False``)."""
        rows = [("company_id", "=", self.env.company.id)]
        if operator in ("=", "!=") and not value:
            # no row: not a customer of the company, or not one the user may see
            having = Metrics._search(rows)
            return [("commercial_partner_id", "not in" if operator == "=" else "in", having.subselect("partner_id"))]
        if operator in ("=", "!="):
            operator, value = ("in" if operator == "=" else "not in"), [value]
        if operator not in ("in", "not in"):
            raise UserError(self.env._("Search the customer's figures by their values, not by the row itself."))
        matching = Metrics._search([*rows, ("id", "in", value)])
        return [("commercial_partner_id", operator, matching.subselect("partner_id"))]

    def _search_is_own_customer(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search “My Customer” with Yes or No."))
        # no sudo check: record rules search this as superuser for the user they apply to
        owned = Query(
            self.env, "own_customer", self.env["sale.customer.metrics"]._own_customers_sql(self.env.companies.ids)
        )
        in_owned = (operator == "=") == value
        return [("commercial_partner_id", "in" if in_owned else "not in", owned)]

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_is_own_customer(self):
        owned = self.search([("id", "in", self.ids), ("is_own_customer", "=", True)])
        for partner in self:
            partner.is_own_customer = partner in owned

    def action_recompute_customer_base(self):
        return self.env["sale.customer.base.engine"].action_recompute_customer_base()

    # ---- key account plans (sale_customer_key_account.py)
    key_account_plan_missing = fields.Boolean(
        "Key Account Without Plan",
        compute="_compute_key_account_plan_missing",
        search="_search_key_account_plan_missing",
        groups="sales_team.group_sale_salesman",
        help="A key account of the current company with no active plan there.",
    )

    @api.depends_context("company")
    def _compute_key_account_plan_missing(self):
        planned = set(
            self.env["sale.customer.key.account"]
            .sudo()
            .search([("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id)])
            .partner_id.ids
        )
        for partner in self:
            partner.key_account_plan_missing = (
                not partner.parent_id and partner.is_key_account and partner.id not in planned
            )

    def _search_key_account_plan_missing(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search key accounts without plan with 'is set' or 'is not set'."))
        plans = self.env["sale.customer.key.account"].sudo()._search([("company_id", "=", self.env.company.id)])
        # the customers themselves, not their contacts (which mirror the key account flag)
        missing = [
            ("parent_id", "=", False),
            ("is_key_account", "=", True),
            ("id", "not in", plans.subselect("partner_id")),
        ]
        return missing if (operator == "=") == value else ["!", "&", "&", *missing]

    # ---- feedback and readiness; the share of wallet says where it came from
    share_of_wallet_source = fields.Selection(
        SHARE_SOURCES,
        "Share of Wallet From",
        company_dependent=True,
        readonly=True,
        groups="sales_team.group_sale_salesman",
    )
    share_of_wallet_date = fields.Date(
        "Share of Wallet Given On", company_dependent=True, readonly=True, groups="sales_team.group_sale_salesman"
    )
    customer_do_not_contact = fields.Boolean(
        "Do Not Contact",
        tracking=True,
        groups="sales_team.group_sale_salesman",
        help="The customer asked not to be called: no follow-up is planned after its orders.",
    )
    customer_feedback_count = fields.Integer(
        "Feedback", compute="_compute_customer_feedback_count", groups="sales_team.group_sale_salesman"
    )
    customer_readiness = fields.Selection(
        READINESS,
        "Readiness",
        compute="_compute_customer_readiness",
        groups="sales_team.group_sale_salesman",
        help="The readiness of the prospect's latest open opportunity.",
    )

    def _compute_customer_feedback_count(self):
        groups = self.env["sale.customer.feedback"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.customer_feedback_count = counts.get(partner.commercial_partner_id.id, 0)

    def _compute_customer_readiness(self):
        leads = self.env["crm.lead"].search(
            [("partner_id", "child_of", self.commercial_partner_id.ids), ("readiness", "!=", False)],
            order="create_date desc, id desc",
        )
        readiness = {}
        for lead in leads:
            readiness.setdefault(lead.partner_id.commercial_partner_id.id, lead.readiness)
        for partner in self:
            partner.customer_readiness = readiness.get(partner.commercial_partner_id.id, False)

    def action_open_customer_feedback(self):
        self.ensure_one()
        customer = self.commercial_partner_id
        action = self.env["ir.actions.act_window"]._for_xml_id("sale_customer_base.sale_customer_feedback_action")
        action["domain"] = [("partner_id", "=", customer.id)]
        action["context"] = {"default_partner_id": customer.id}
        return action

    def action_new_customer_feedback(self):
        self.ensure_one()
        return self.env["sale.customer.feedback"]._form_action(partner=self.commercial_partner_id)
