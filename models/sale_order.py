from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# An order's untaxed amount and margin in company currency, at the order's own rate (the
# order's alias is ``so`` in every query of the addon). An order without a usable rate counts
# at rate 1 rather than vanishing.
ORDER_REVENUE = SQL("so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)")
ORDER_MARGIN = SQL("COALESCE(so.margin, 0) / COALESCE(NULLIF(so.currency_rate, 0), 1)")
# An open quotation: neither confirmed nor cancelled; a sent one is an offer the customer holds
# (the win-back's stalled quotations, the offers in negotiation). Every reader of quotations uses these.
OPEN_QUOTATION_STATES = ("draft", "sent")
SENT_QUOTATION_STATE = "sent"
# the follow-up call after a sale (see _schedule_customer_followups)
FOLLOWUP_TYPE = "sale_customer_base.mail_activity_type_customer_followup"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        confirmed = orders.filtered(lambda order: order.state == "sale")
        # a new quotation matters only to a partner without a stage yet: it makes a prospect
        quotations = (orders - confirmed).filtered(lambda order: order.state in OPEN_QUOTATION_STATES)
        confirmed._refresh_customer_base(confirmed=True)
        quotations._of_partners_without_stage()._refresh_customer_base()
        return orders

    def write(self, vals):
        if "user_id" in vals:
            self._check_salesperson_change(vals["user_id"])
        if "state" not in vals and "partner_id" not in vals:
            return super().write(vals)
        previous = self.partner_id
        res = super().write(vals)
        self._refresh_customer_base(previous, confirmed=vals.get("state") == "sale")
        return res

    def _check_salesperson_change(self, user_id):
        """Refuse a new salesperson on a confirmed order unless a sales manager gives it.

        A confirmed order of hers makes the customer one of a salesperson's customers (its figures,
        plan and feedback open to her): taking over a colleague's or an unassigned sale is a
        manager's decision, not a field she fills in herself.
        """
        if self.env.su or self.env.user.has_group("sales_team.group_sale_manager"):
            return
        changed = self.filtered(lambda order: order.state == "sale" and order.user_id.id != (user_id or False))
        if changed:
            raise UserError(
                self.env._(
                    "Only sales managers can change the salesperson of a confirmed order (%(orders)s).",
                    orders=", ".join(changed.mapped("name")),
                )
            )

    def _of_partners_without_stage(self):
        """These orders whose customer has no stage yet in the order's company (one query)."""
        if not self:
            return self
        self.env["sale.customer.metrics"].flush_model(["customer_stage"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT so.id
                  FROM sale_order AS so
                  JOIN res_partner AS p ON p.id = so.partner_id
                 WHERE so.id = ANY(%s)
                   AND NOT EXISTS (SELECT 1 FROM sale_customer_metrics AS m
                                    WHERE m.partner_id = p.commercial_partner_id AND m.company_id = so.company_id
                                      AND m.customer_stage IS NOT NULL)
                """,
                self.ids,
            )
        )
        return self.browse(row[0] for row in rows)

    def _refresh_customer_base(self, previous_partners=None, confirmed=False):
        """Queue the customers of these orders (confirmed, cancelled, moved, new quotation) for the refresh job.

        Order entry pays one insert: the job (``sale.customer.base.refresh``), woken right after
        the commit, refreshes the queued customers in batches, a customer ordered twice once, and
        for ``confirmed`` orders raises the customer's rank. With ``customer_base_refresh_now``
        in the context (tests of the figures) the queue is emptied in the caller's transaction.
        """
        partners_by_company = defaultdict(set)
        for order in self:
            partners_by_company[order.company_id].add(order.partner_id.commercial_partner_id.id)
            if previous_partners:
                partners_by_company[order.company_id].update(previous_partners.commercial_partner_id.ids)
        Queue = self.env["sale.customer.base.refresh"].sudo()
        for company, partner_ids in partners_by_company.items():
            Queue._defer(company, partner_ids, confirmed=confirmed)
        if self.env.context.get("customer_base_refresh_now"):
            for company in partners_by_company:
                self.env["sale.customer.base.engine"].sudo()._refresh_deferred(company)

    @api.model
    def _rank_customers_of_confirmed_orders(self):
        """Make customers of the partners whose orders were confirmed before the addon was installed.

        A confirmed order raises its customer's rank (see ``_refresh_customer_base``), as a posted
        invoice does in ``account``; orders confirmed earlier did not, and Odoo's *Customers* menus,
        which filter on the rank, hid their partners. Each commercial partner without a rank gets
        one per confirmed order, in one UPDATE. Returns the partners ranked.
        """
        self.flush_model(["state", "partner_id"])
        self.env["res.partner"].flush_model(["commercial_partner_id", "customer_rank"])
        rows = self.env.execute_query(
            SQL(
                """
                UPDATE res_partner AS p
                   SET customer_rank = o.order_count
                  FROM (SELECT c.commercial_partner_id AS partner_id, COUNT(*) AS order_count
                          FROM sale_order AS so
                          JOIN res_partner AS c ON c.id = so.partner_id
                         WHERE so.state = 'sale'
                         GROUP BY c.commercial_partner_id) AS o
                 WHERE p.id = o.partner_id AND COALESCE(p.customer_rank, 0) = 0
             RETURNING p.id
                """
            )
        )
        partners = self.env["res.partner"].browse(row[0] for row in rows)
        partners.invalidate_recordset(["customer_rank"])
        partners.modified(["customer_rank"])
        return partners

    # ---- the follow-up call after a sale
    # When orders are confirmed, each customer gets one follow-up activity on its latest
    # confirmed order: customer_followup_first_days (7) after its first order, always;
    # customer_followup_repeat_days (30) after a repeat order, or none when that setting is 0.
    # A customer who already has a follow-up planned gets no second one, and one who asked not
    # to be contacted gets none. Everything is decided in two queries for the whole batch.
    customer_feedback_ids = fields.One2many("sale.customer.feedback", "order_id", "Feedback")
    # confirmed and not yet followed up: the refresh job plans the follow-ups right after the commit
    customer_followup_pending = fields.Boolean("Follow-Up to Plan", readonly=True, copy=False, index="btree_not_null")
    customer_feedback_count = fields.Integer("Feedback Count", compute="_compute_customer_feedback_count")

    def _compute_customer_feedback_count(self):
        groups = self.env["sale.customer.feedback"]._read_group(
            [("order_id", "in", self.ids)], ["order_id"], ["__count"]
        )
        counts = {order.id: count for order, count in groups}
        for order in self:
            order.customer_feedback_count = counts.get(order.id, 0)

    def _prepare_confirmation_values(self):
        # written with the state: confirming costs no statement more; the refresh job, woken by the
        # confirmation, plans the follow-ups (``_schedule_pending_followups``)
        return dict(super()._prepare_confirmation_values(), customer_followup_pending=True)

    def _action_cancel(self):
        # a cancelled sale has nothing to follow up
        self._customer_followup_activities().unlink()
        self.filtered("customer_followup_pending").customer_followup_pending = False
        return super()._action_cancel()

    @api.model
    def _schedule_pending_followups(self, company):
        """Plan the follow-ups of the orders of ``company`` confirmed since the last run of the job."""
        pending = self.sudo().search([("customer_followup_pending", "=", True), ("company_id", "=", company.id)])
        pending._schedule_customer_followups()
        pending.customer_followup_pending = False

    def action_schedule_customer_followup(self):
        """Plan the follow-up of these orders now, whatever their customer's other follow-ups."""
        not_confirmed = self.filtered(lambda order: order.state != "sale")
        if not_confirmed:
            raise UserError(
                self.env._(
                    "Only confirmed orders are followed up; %(orders)s is not.",
                    orders=", ".join(not_confirmed.mapped("name")),
                )
            )
        silent = self.filtered(lambda order: order.partner_id.commercial_partner_id.sudo().customer_do_not_contact)
        if silent:
            raise UserError(
                self.env._(
                    "%(customers)s asked not to be contacted: no follow-up is planned.",
                    customers=", ".join(silent.partner_id.commercial_partner_id.mapped("name")),
                )
            )
        self._create_customer_followups({order: order.company_id.customer_followup_first_days for order in self})
        return True

    def action_new_customer_feedback(self):
        self.ensure_one()
        return self.env["sale.customer.feedback"]._form_action(self.partner_id.commercial_partner_id, self)

    def action_open_customer_feedback(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale_customer_base.sale_customer_feedback_action")
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {
            "default_partner_id": self.partner_id.commercial_partner_id.id,
            "default_order_id": self.id,
        }
        return action

    def _customer_followup_activities(self):
        followup = self.env.ref(FOLLOWUP_TYPE, raise_if_not_found=False)
        if not followup or not self:
            return self.env["mail.activity"]
        return (
            self.env["mail.activity"]
            .sudo()
            .search(
                [("res_model", "=", "sale.order"), ("res_id", "in", self.ids), ("activity_type_id", "=", followup.id)]
            )
        )

    def _schedule_customer_followups(self):
        """One follow-up per customer of these just-confirmed orders, on its latest order (see module doc)."""
        confirmed = self.filtered(lambda order: order.state == "sale")
        if not confirmed:
            return
        latest = {}
        for order in confirmed.sorted(lambda order: (order.date_order, order.id)):
            latest[(order.company_id, order.partner_id.commercial_partner_id)] = order
        ids = [partner.id for _company, partner in latest]
        # customers' confirmed orders before these ones, and the customers with a follow-up planned
        earlier = self.env["sale.customer.base.engine"]._confirmed_orders_sql(partner_ids=ids)
        rows = self.env.execute_query(
            SQL(
                "SELECT DISTINCT company_id, partner_id FROM (%s) AS o WHERE NOT order_id = ANY(%s)",
                earlier,
                confirmed.ids,
            )
        )
        repeat = set(rows)
        followup = self.env.ref(FOLLOWUP_TYPE)
        self.env["mail.activity"].flush_model(["res_model", "res_id", "activity_type_id"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT DISTINCT so.company_id, p.commercial_partner_id
                  FROM mail_activity AS a
                  JOIN sale_order AS so ON so.id = a.res_id
                  JOIN res_partner AS p ON p.id = so.partner_id
                 WHERE a.res_model = 'sale.order' AND a.activity_type_id = %s AND a.active
                   AND p.commercial_partner_id = ANY(%s)
                """,
                followup.id,
                ids,
            )
        )
        planned = set(rows)
        delays = {}
        for (company, partner), order in latest.items():
            key = (company.id, partner.id)
            if key in planned or partner.sudo().customer_do_not_contact:
                continue
            days = company.customer_followup_repeat_days if key in repeat else company.customer_followup_first_days
            if days:
                delays[order] = days
        self._create_customer_followups(delays)

    def _create_customer_followups(self, delays):
        """Create the follow-up activities of ``delays`` ({order: days after today}) in one create."""
        if not delays:
            return
        followup = self.env.ref(FOLLOWUP_TYPE)
        model_id = self.env["ir.model"]._get_id("sale.order")
        today = fields.Date.context_today(self)
        by_user = defaultdict(list)
        for order, days in delays.items():
            # the job plans as superuser: the fallback is who confirmed the order, not the job's user
            clicked = order.write_uid if self.env.su else self.env.user
            user = order.company_id.customer_followup_user_id or order.user_id or clicked
            by_user[user].append((order, days))
        vals_list = [
            {
                "res_model_id": model_id,
                "res_id": order.id,
                "activity_type_id": followup.id,
                "user_id": user.id,
                "date_deadline": today + relativedelta(days=days),
                "summary": self.env._("How did it go with %(order)s?", order=order.name),
                "note": self.env._(
                    "Ask how the product, our staff, the delivery and the moment of sale suited the customer, how "
                    "likely it is to recommend us, what share of these purchases it makes with us, and what would "
                    "make it buy more from us. Marking this call done opens the feedback form for the answers."
                ),
            }
            for user, pairs in by_user.items()
            for order, days in pairs
        ]
        # as the order's salesperson or customer service, not as whoever clicked "Confirm"
        self.env["mail.activity"].sudo().create(vals_list)
