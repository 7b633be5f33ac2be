"""Win-back attempts: one record per customer contacted to be won back.

An attempt is won back as soon as the customer confirms an order within the
company's win-back window after it (``_update_won_back``, called when orders
are confirmed and by the nightly job for orders imported already confirmed);
the revenue of the window is the recovered revenue.
"""

import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .guards import check_people
from .sale_customer_metrics import STAGES

RULES = [
    ("lost", "Lost"),
    ("at_risk", "At Risk"),
    ("declining", "Declining Revenue"),
    ("stalled", "Stalled Quotation"),
    ("chosen", "Chosen by Hand"),
]
OUTCOMES = [
    ("pending", "Pending"),
    ("won", "Won Back"),
    ("refused", "Refused"),
    ("no_answer", "No Answer"),
    # a key account that left anyway, after the playbook: on good terms, a referral asked
    ("parted_well", "Parted Well"),
]
# Written by the engine only: the customer as the win-back search found them, and what their
# orders did afterwards (``_update_won_back``). People record the answer (reason, feedback) and
# close an open attempt as refused or unanswered; ``readonly`` alone would not stop a client.
ENGINE_FIELDS = (
    "rule",
    "stage",
    "last_order_date",
    "revenue_lost",
    "ltv",
    "activity_id",
    "window_end",
    "won_date",
    "won_order_id",
    "recovered_revenue",
    "won_back_rate",
)
# Set once: moving an attempt to another customer or company would step around the record rules,
# which Odoo checks before a write, not after it.
FIXED_FIELDS = ("partner_id", "company_id")


class SaleCustomerReactivation(models.Model):
    _name = "sale.customer.reactivation"
    _description = "Win-Back Attempt"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="cascade", tracking=True, check_company=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date("Attempt Date", required=True, default=fields.Date.context_today, tracking=True)
    user_id = fields.Many2one(
        "res.users",
        "Assigned To",
        index=True,
        tracking=True,
        # not OdooBot when the system records an attempt: it would be nobody's call
        default=lambda self: self.env.user if self.env.user.active else False,
        domain="[('share', '=', False)]",
    )
    rule = fields.Selection(RULES, "Found As", required=True, default="chosen", readonly=True)
    stage = fields.Selection(STAGES, "Stage at the Attempt", readonly=True)
    last_order_date = fields.Date("Last Order Before the Attempt", readonly=True)
    revenue_lost = fields.Monetary(
        readonly=True,
        help="What the customer brought in a year before going quiet: its revenue over the 12 months up to its last "
        "order. For a customer found by a revenue drop: the revenue of the previous period minus the last one. "
        "As found when the attempt was made.",
    )
    ltv = fields.Monetary("LTV at the Attempt", readonly=True, groups="sales_team.group_sale_manager")
    reason_id = fields.Many2one("sale.customer.reactivation.reason", "Reason for Leaving", tracking=True)
    product_feedback = fields.Text("What Did Not Suit in the Product")
    staff_feedback = fields.Text("What Did Not Suit in the Staff")
    sale_feedback = fields.Text("What Did Not Suit at the Moment of Sale")
    outcome = fields.Selection(OUTCOMES, required=True, default="pending", tracking=True, index=True)
    window_end = fields.Date(
        "Counts Until",
        compute="_compute_window_end",
        store=True,
        help="An order confirmed up to this day wins the customer back.",
    )
    won_date = fields.Date("Won Back On", readonly=True)
    won_order_id = fields.Many2one("sale.order", "First Order After", readonly=True, check_company=True)
    recovered_revenue = fields.Monetary(
        readonly=True, help="Untaxed revenue of the orders confirmed from the attempt to the end of its window."
    )
    won_back_rate = fields.Float(
        "Win-Back Rate (%)",
        compute="_compute_won_back_rate",
        store=True,
        aggregator="avg",
        help="100 for an attempt that won the customer back, 0 otherwise: its average is the win-back rate.",
    )
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    # ---- playbook of a key account leaving (issue 15): meeting, counter-offer, gift, referral
    is_key_account = fields.Boolean("Key Account", compute="_compute_is_key_account")
    meeting_date = fields.Date("Meeting Held On", tracking=True)
    meeting_user_ids = fields.Many2many(
        "res.users",
        string="Who Met Them",
        domain="[('share', '=', False)]",
        help="Who from our side was at the meeting.",
    )
    counter_offer = fields.Text("Counter-Offer Made")
    gift = fields.Char("Gift Given")
    referral_asked = fields.Boolean(tracking=True)
    referred_partner_id = fields.Many2one(
        "res.partner", "Referred Customer", tracking=True, help="Who the customer recommended us to when leaving."
    )
    parted_well_rate = fields.Float(
        "Parted Well (%)",
        compute="_compute_parted_well_rate",
        store=True,
        aggregator="avg",
        help="100 for an attempt that ended on good terms (parted well), 0 otherwise: its average is the share "
        "of attempts that parted well.",
    )

    @api.depends("partner_id", "date")
    def _compute_display_name(self):
        for attempt in self:
            attempt.display_name = self.env._(
                "%(customer)s, %(date)s",
                customer=attempt.partner_id.display_name or "",
                date=fields.Date.to_string(attempt.date) if attempt.date else "",
            )

    @api.depends("date", "company_id.customer_base_winback_days")
    def _compute_window_end(self):
        for attempt in self:
            days = attempt.company_id.customer_base_winback_days
            attempt.window_end = attempt.date and attempt.date + datetime.timedelta(days=days)

    @api.depends("outcome")
    def _compute_won_back_rate(self):
        for attempt in self:
            attempt.won_back_rate = 100.0 if attempt.outcome == "won" else 0.0

    @api.depends("partner_id", "company_id")
    def _compute_is_key_account(self):
        for attempt in self:
            partner = attempt.partner_id.sudo().with_company(attempt.company_id)
            attempt.is_key_account = partner.is_key_account or bool(
                self.env["sale.customer.key.account"]
                .sudo()
                .search_count([("partner_id", "=", partner.id), ("company_id", "=", attempt.company_id.id)], limit=1)
            )

    @api.depends("outcome")
    def _compute_parted_well_rate(self):
        for attempt in self:
            attempt.parted_well_rate = 100.0 if attempt.outcome == "parted_well" else 0.0

    @api.constrains("user_id", "company_id")
    def _check_user_id(self):
        for company in self.company_id:
            callers = self.filtered(lambda attempt, company=company: attempt.company_id == company).user_id
            problem = callers._customer_base_unfit_message(company)
            if problem:
                raise ValidationError(
                    problem + " " + self.env._("Win-back calls go to active salespeople of the attempt's company.")
                )

    @api.constrains("meeting_user_ids", "company_id")
    def _check_meeting_user_ids(self):
        check_people(self, ["meeting_user_ids"])

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._check_person_values(vals)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_person_values(vals)
        return super().write(vals)

    def _check_person_values(self, vals):
        """Refuse values that only the engine writes (it writes as superuser); ``self`` are the
        attempts being written, none for a new one."""
        if self:
            claimed = [name for name in ENGINE_FIELDS if name in vals]
        else:  # a new attempt: the defaults a client sends back claim nothing
            claimed = [name for name in ENGINE_FIELDS if vals.get(name) and (name, vals[name]) != ("rule", "chosen")]
        if claimed:
            raise UserError(
                self.env._(
                    "%(fields)s of a win-back attempt come from the win-back search and the customer's orders: "
                    "they cannot be set by hand.",
                    fields=", ".join(self._fields[name]._description_string(self.env) for name in claimed),
                )
            )
        if vals.get("outcome") == "won":
            raise UserError(
                self.env._(
                    "An attempt is won back by an order, not by hand: it turns Won Back as soon as the customer "
                    "confirms an order within the win-back window."
                )
            )
        won = self.filtered(lambda attempt: attempt.outcome == "won")
        if "outcome" in vals and won:
            raise UserError(
                self.env._(
                    "%(attempts)s won the customer back with an order: the outcome follows the customer's orders "
                    "(cancelling the order undoes it).",
                    attempts=", ".join(won.mapped("display_name")),
                )
            )
        moved = [name for name in FIXED_FIELDS if name in vals and any(a[name].id != vals[name] for a in self)]
        if moved:
            raise UserError(
                self.env._(
                    "The customer and the company of a win-back attempt cannot be changed: "
                    "record an attempt for the other customer instead."
                )
            )

    def action_refused(self):
        self.outcome = "refused"

    def action_no_answer(self):
        self.outcome = "no_answer"

    def action_parted_well(self):
        self.outcome = "parted_well"

    def action_pending(self):
        self.outcome = "pending"

    @api.model
    def _update_won_back(self, partners=None, company=None):
        """Bring the outcome of attempts in line with the orders, for the attempts of ``partners``
        (commercial partners) and ``company``, or all.

        Each confirmed order counts once, for the latest attempt of its customer and company that
        is open (pending, no answer) or already won back and whose window holds the order's day.
        An attempt with orders is won back by the first of them, the revenue of its orders is
        recovered, and its open win-back activity is marked done; one whose orders were all
        cancelled is pending again. Refused attempts keep their outcome.
        """
        self.env["sale.order"].flush_model(
            ["state", "company_id", "partner_id", "date_order", "amount_untaxed", "currency_rate"]
        )
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.flush_model()
        filters = []
        if partners is not None:
            if not partners:
                return self.browse()
            filters.append(SQL("r.partner_id = ANY(%s)", partners.commercial_partner_id.ids))
        if company is not None:
            filters.append(SQL("r.company_id = %s", company.id))
        # date_order is UTC: its ::date is the UTC day, as in the engine's reads. Filters keep or
        # drop all the attempts of a customer and company, so "the latest" is chosen among all.
        self.env.cr.execute(
            SQL(
                """
                WITH attempt AS (
                    SELECT r.id, r.partner_id, r.company_id, r.date, r.window_end
                      FROM sale_customer_reactivation AS r
                     WHERE r.outcome IN ('pending', 'no_answer', 'won')
                       AND %(filters)s
                ), credited AS (
                    SELECT DISTINCT ON (o.order_id) o.order_id, a.id AS attempt_id, o.date_order, o.revenue
                      FROM attempt AS a
                      JOIN (%(confirmed)s) AS o ON o.partner_id = a.partner_id AND o.company_id = a.company_id
                     WHERE o.date_order::date BETWEEN a.date AND a.window_end
                     ORDER BY o.order_id, a.date DESC, a.id DESC
                )
                SELECT a.id,
                       (array_agg(c.order_id ORDER BY c.date_order, c.order_id))[1],
                       min(c.date_order)::date,
                       COALESCE(sum(c.revenue), 0)
                  FROM attempt AS a
                  LEFT JOIN credited AS c ON c.attempt_id = a.id
                 GROUP BY a.id
                """,
                filters=SQL(" AND ").join(filters) if filters else SQL("TRUE"),
                confirmed=self.env["sale.customer.base.engine"]._confirmed_orders_sql(),
            )
        )
        rows = self.env.cr.fetchall()
        # the engine's values: written as superuser, whoever confirmed the order
        attempts = self.sudo().browse([row[0] for row in rows])
        changed = won = self.browse()
        for attempt, (_id, order_id, day, revenue) in zip(attempts, rows, strict=True):
            values = {}
            if attempt.currency_id.compare_amounts(attempt.recovered_revenue, revenue):
                values["recovered_revenue"] = revenue
            if order_id and (attempt.outcome != "won" or attempt.won_order_id.id != order_id):
                if attempt.outcome != "won":
                    won |= attempt
                values.update(outcome="won", won_date=day, won_order_id=order_id)
            elif not order_id and attempt.outcome == "won":
                values.update(outcome="pending", won_date=False, won_order_id=False)
            if values:
                attempt.write(values)
                changed |= attempt
        won._close_winback_activity()
        return changed

    def _close_winback_activity(self):
        """Mark the open win-back activity of these attempts, just won back, done with the result."""
        for attempt in self.filtered("activity_id.active"):
            attempt.activity_id._action_done(
                feedback=self.env._("Won back by order %(order)s", order=attempt.won_order_id.name)
            )
