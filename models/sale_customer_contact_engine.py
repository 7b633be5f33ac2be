"""Keeping in touch: last contact, next contact due and the day's planned contacts, set-based.

The same way as the customer base engine: one query reads every contact of every
customer of a company (:meth:`_contacts_sql`), :mod:`..analytics.contacts` applies the
service policy, the values go back to the customers' rows of ``sale.customer.metrics`` in
one ``UPDATE`` from a temporary table (only the rows that changed). The planning creates
the due contacts as activities in one ``create``.

The nightly planning runs like the recompute: each company in a transaction of its own at
READ COMMITTED (``sale.customer.base.engine._job_transaction``), the customers' rows locked
first without waiting. An order confirmed or a contact made meanwhile finds them locked and
queues its customer in ``sale.customer.base.refresh``, refreshed right after the company is
planned; customers whose rows an order's transaction holds are left to it and queued too.
"""

import datetime
import io
import logging

import pandas as pd

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..analytics.contacts import CHANNELS, contact_schedule, plan_contacts
from .sale_order import OPEN_QUOTATION_STATES

_logger = logging.getLogger(__name__)

# analytics column -> (sale.customer.metrics field, SQL type)
CONTACT_FIELDS = {
    "rule_id": ("contact_rule_id", "int4"),
    "last_contact_date": ("last_contact_date", "date"),
    "last_contact_channel": ("last_contact_channel", "varchar"),
    "next_contact_date": ("next_contact_date", "date"),
    "due_channel": ("next_contact_channel", "varchar"),
    "yearly_cost": ("contact_yearly_cost", "float8"),
    "costs_more_than_earns": ("contact_costs_more", "bool"),
}
CONTACT_FNAMES = [fname for fname, _type in CONTACT_FIELDS.values()]
NEW_CONTACTS_TABLE = "sale_customer_contact_new_values"  # temporary, per transaction
COST_DECIMALS = 2
CONTACT_WEEK = 7  # days: two contacts of a customer are at least this far apart (see _contact_week_taken)
# what the service rules match on, from the customer's figures
CLASS_COLUMNS = ("abc_class", "xyz_class", "customer_segment", "customer_stage", "is_key_account")
# activity type category -> channel, for activity types no rule names
CATEGORY_CHANNELS = {"phonecall": "call", "meeting": "visit"}
CHANNEL_XMLIDS = {
    "mail.mail_activity_data_meeting": "visit",
    "mail.mail_activity_data_call": "call",
    "mail.mail_activity_data_email": "email",
}


class SaleCustomerContactEngine(models.AbstractModel):
    _name = "sale.customer.contact.engine"
    _description = "Customer Contact Engine"

    # ---- entry points
    @api.model
    def _compute_company(self, company, partner_ids=None, as_of=None, busy_ids=()):
        """Compute and store last contact, rule, next due, days overdue and cost to serve of the
        customers of ``company`` (those of ``partner_ids`` only when given); return the schedule
        frame (indexed by partner id) with the customers' assignees. Customers of ``busy_ids``
        (rows another transaction holds) are left as they are and out of the schedule."""
        as_of = as_of or fields.Date.context_today(self)
        customers, schedule = self._schedule(company, as_of, partner_ids)
        if busy_ids:
            schedule = schedule.drop(index=list(busy_ids), errors="ignore")
        self._store(company, schedule, partner_ids, busy_ids)
        return schedule.join(customers[["user_id", "key_account_manager_id", "is_key_account"]])

    @api.model
    def _schedule(self, company, as_of, partner_ids=None, classes=None, orders=None):
        """The customers of ``company`` the policy applies to and their schedule (see
        :func:`..analytics.contacts.contact_schedule`), not stored. ``classes`` (stage, classes and
        key account flag by partner id) and ``orders`` (the engine's frame of confirmed orders) are
        the engine's own, in memory, during a recompute; read otherwise."""
        customers = self._customers_frame(company, as_of, partner_ids, classes, orders)
        rules = self.env["sale.customer.service.rule"].sudo().search([("company_id", "=", company.id)])
        contacts = self._contacts_frame(company, as_of, rules, partner_ids)
        schedule = contact_schedule(
            customers,
            rules._rule_values(),
            contacts,
            company._customer_base_channel_costs(),
            as_of,
            unit_value=company.customer_base_contact_unit_value,
        )
        schedule["yearly_cost"] = schedule["yearly_cost"].astype(float).round(COST_DECIMALS)
        return customers, schedule

    @api.model
    def _refresh_partners(self, company, partners):
        """Refresh the contact values of these partners' commercial partners (after a contact).

        Customers whose rows a planning or a recompute is writing right now are not waited
        for: they are queued and refreshed as soon as it is done.
        """
        ids = partners.commercial_partner_id.ids
        if not ids:
            return
        if not self.env["sale.customer.base.engine"]._lock_rows(company, ids):
            self.env["sale.customer.base.refresh"]._defer(company, ids)
            return
        self._compute_company(company, ids)

    @api.model
    def _plan_company(self, company, as_of=None):
        """Create the due contacts of ``company`` as planned activities; return how many.

        A customer is due when its next contact due date is today or past. It gets an
        activity of the rule's type for the touch that is due, for its key account
        manager (key accounts), else its salesperson, else the company's fallback user
        (without one, it is left unplanned). One contact a week per customer: a customer
        with a contact planned or made within a week of the day it would be planned, or
        with a contact the policy planned still open, is skipped and counted in the log
        (see ``_contact_week_taken``); it stays due for a later run. Each user gets at most
        the company's daily cap of planned activities a day, counting those already
        planned; the rest goes to the next days, up to the company's horizon; what
        does not fit waits for a later run.

        Runs in the current transaction; the jobs call it through ``_plan_company_job``.
        Customers whose rows another transaction holds are neither waited for nor planned:
        they are queued for a refresh (see ``_lock_customers``).
        """
        as_of = as_of or fields.Date.context_today(self)
        busy = self._lock_customers(company)
        schedule = self._compute_company(company, as_of=as_of, busy_ids=busy)
        due = schedule[schedule["rule_id"].notna() & (schedule["next_contact_date"] <= pd.Timestamp(as_of))]
        if due.empty:
            return 0
        rules = self.env["sale.customer.service.rule"].sudo().browse(due["rule_id"].astype(int).unique().tolist())
        types = {}
        for rule in rules:
            second = rule.second_channel and rule.second_channel != rule.channel
            types[(rule.id, rule.channel)] = rule.activity_type_id.id
            if second:
                types[(rule.id, rule.second_channel)] = rule.second_activity_type_id.id
        due = due.assign(
            activity_type_id=[
                types.get((int(rule_id), channel)) or types[(int(rule_id), rules.browse(int(rule_id)).channel)]
                for rule_id, channel in zip(due["rule_id"], due["due_channel"], strict=True)
            ]
        )
        due = due.assign(user_id=self._assignees(company, due))
        due = due[due["user_id"].notna()]
        taken = self._contact_week_taken(dict.fromkeys(due.index, as_of), policy=True)
        waiting = len(taken)
        due = due[~due.index.isin(taken)]
        if due.empty:
            self._log_waiting(company, waiting)
            return 0
        due = due.reset_index(names="partner_id").assign(user_id=lambda frame: frame["user_id"].astype(int))
        planned = plan_contacts(
            due[["partner_id", "user_id", "next_contact_date", "activity_type_id", "rule_id"]],
            company.customer_base_contact_daily_cap,
            as_of,
            booked=self._booked(due["user_id"].unique().tolist(), as_of),
            days=company.customer_base_contact_plan_days,
        )
        # the cap puts some contacts on a later day: their week is that day's
        later = planned[planned["date_deadline"] > as_of]
        if not later.empty:
            taken = self._contact_week_taken(dict(zip(later["partner_id"], later["date_deadline"], strict=True)))
            waiting += len(taken)
            planned = planned[~planned["partner_id"].isin(taken)]
        self._log_waiting(company, waiting)
        names = dict(rules.mapped(lambda rule: (rule.id, rule.name)))
        model_id = self.env["ir.model"]._get_id("res.partner")
        # one notification per activity would mean hundreds of emails: users see them in their activities
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": int(row.partner_id),
                    "activity_type_id": int(row.activity_type_id),
                    "user_id": int(row.user_id),
                    "date_deadline": row.date_deadline,
                    "summary": self.env._("Keep in touch: %(rule)s", rule=names[int(row.rule_id)]),
                    "customer_planned": True,
                }
                for row in planned.itertuples(index=False)
            ]
        )
        return len(planned)

    @api.model
    def _plan_company_job(self, company):
        """Plan the due contacts of ``company`` as a job: in a transaction of its own at READ
        COMMITTED, committed once the company is planned, orders confirmed meanwhile neither
        waiting for it nor making it fail (see ``sale.customer.base.engine._job_transaction``);
        return how many."""
        with self.env["sale.customer.base.engine"]._job_transaction(company) as env:
            return self.with_env(env)._plan_company(company.with_env(env))

    @api.model
    def _cron_plan_contacts(self):
        """Nightly: contact values and the day's planned contacts of every company, each committed
        on its own; a company that fails is logged and the others are planned."""
        companies = self.env["res.company"].sudo().search([], order="id")  # pylint: disable=no-search-all
        for company in companies:
            try:
                with self.env.cr.savepoint():
                    count = self.sudo().with_company(company)._plan_company_job(company)
                _logger.info("Contacts of %s planned: %s activities", company.name, count)
            except Exception:
                _logger.exception("Contacts of %s could not be planned; tried again next night", company.name)
                self.env.invalidate_all()

    @api.model
    def action_plan_contacts(self):
        """Plan the due contacts of the current company now (sales managers); say how many were
        planned and for whom."""
        if not (self.env.su or self.env.user.has_group("sales_team.group_sale_manager")):
            raise AccessError(self.env._("Only sales managers can plan the contacts of the team."))
        company = self.env.company
        Engine = self.sudo().with_company(company)
        with Engine.env["sale.customer.base.engine"]._job_transaction(company) as env:
            # counted in the job's transaction (the caller's snapshot does not see what it commits):
            # the planned activities this user created after the newest one before the click
            Activity = env["mail.activity"].sudo().with_context(active_test=False)
            last_id = Activity.search([], order="id desc", limit=1).id or 0
            Engine.with_env(env)._plan_company(company.with_env(env))
            per_user = Activity._read_group(
                [("id", ">", last_id), ("customer_planned", "=", True), ("create_uid", "=", env.uid)],
                ["user_id"],
                ["__count"],
            )
            per_user = sorted(((user.name, count) for user, count in per_user), key=lambda pair: (-pair[1], pair[0]))
        total = sum(count for _name, count in per_user)
        if not total:
            message = self.env._("No contact is due today.")
        elif total == 1:
            message = self.env._("1 contact planned: %(user)s.", user=per_user[0][0])
        else:
            message = self.env._(
                "%(count)s contacts planned: %(people)s.",
                count=total,
                people=", ".join(self.env._("%(user)s %(count)s", user=name, count=count) for name, count in per_user),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if total else "info",
                "title": self.env._("Today's contacts: %(company)s", company=company.name),
                "message": message,
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ---- locks
    @api.model
    def _lock_customers(self, company):
        """Lock, without waiting, the rows of the customers of ``company`` the planning may write;
        queue for a refresh those another transaction holds, and return their ids.

        Locked before anything is read: an order confirmed meanwhile cannot change them, its
        refresh finds them locked and queues its customer for after the planning (see
        ``sale.customer.base.engine._lock_rows``) instead of waiting, and the planning never
        overwrites newer values with those it read before. Held rows are skipped, not waited
        for: an order being confirmed refreshes its customer itself.
        """
        self.env["sale.customer.metrics"].flush_model()
        customers = SQL("SELECT partner_id FROM sale_customer_metrics WHERE company_id = %s", company.id)
        locked = {row[0] for row in self.env.execute_query(SQL("%s FOR NO KEY UPDATE SKIP LOCKED", customers))}
        busy = [row[0] for row in self.env.execute_query(customers) if row[0] not in locked]
        if busy:
            self.env["sale.customer.base.refresh"]._defer(company, busy)
        return busy

    # ---- reads
    @api.model
    def _customers_frame(self, company, as_of, partner_ids=None, classes=None, orders=None):
        """The customers of ``company`` the policy applies to (stage known, not lost), with what
        the rules match on and the margin of their confirmed orders of the last 365 days.

        The stage, classes and key account flag come from ``classes`` when given (the engine's
        values of this run), else from the stored figures; the margins from ``orders`` (the
        engine's frame) when given, else from the orders themselves."""
        self.env["res.partner"].flush_model()
        self.env["sale.customer.metrics"].flush_model()
        engine = self.env["sale.customer.base.engine"]
        partners = SQL() if partner_ids is None else SQL("AND p.id = ANY(%s)", list(partner_ids))
        figures = SQL(
            """
            m.abc_class, m.xyz_class, m.customer_segment, m.customer_stage,
            COALESCE(m.is_key_account, FALSE) AS is_key_account,
            """
        )
        source = SQL("sale_customer_metrics AS m JOIN res_partner AS p ON p.id = m.partner_id")
        condition = SQL("m.company_id = %s AND m.customer_stage IS NOT NULL AND m.customer_stage <> 'lost'", company.id)
        if classes is not None:
            figures = SQL()
            source = SQL("res_partner AS p")
            condition = SQL("p.id = p.commercial_partner_id")
        customers = engine._frame(
            SQL(
                """
                WITH teams AS (
                    -- res.partner has no sales team without CRM: the team of the latest quotation or order
                    SELECT DISTINCT ON (c.commercial_partner_id) c.commercial_partner_id AS id, so.team_id
                      FROM sale_order AS so
                      JOIN res_partner AS c ON c.id = so.partner_id
                     WHERE so.company_id = %(company)s AND so.state <> 'cancel' %(orders_of)s
                     ORDER BY c.commercial_partner_id, so.date_order DESC, so.id DESC
                )
                SELECT p.id AS partner_id, %(figures)s
                       p.user_id,
                       t.team_id,
                       (p.key_account_manager_id ->> %(key)s)::int4 AS key_account_manager_id
                  FROM %(source)s
                  LEFT JOIN teams AS t ON t.id = p.id
                 WHERE %(condition)s AND p.active %(partners)s
                """,
                key=str(company.id),
                company=company.id,
                figures=figures,
                source=source,
                condition=condition,
                partners=partners,
                orders_of=SQL() if partner_ids is None else SQL("AND c.commercial_partner_id = ANY(%s)", partner_ids),
            )
        ).set_index("partner_id")
        if classes is not None:
            known = classes[classes["customer_stage"].notna() & (classes["customer_stage"] != "lost")]
            customers = known[list(CLASS_COLUMNS)].join(customers, how="inner")
        since = fields.Date.to_date(as_of) - datetime.timedelta(days=364)
        if orders is not None:
            first_day = (since - datetime.date(1970, 1, 1)).days
            recent = orders[orders["day"] >= first_day]
            margins = recent.groupby("partner_id")["margin"].sum()
        else:
            until = fields.Datetime.to_datetime(as_of) + datetime.timedelta(days=1)
            confirmed = engine._confirmed_orders_sql(
                company, since=fields.Datetime.to_datetime(since), until=until, partner_ids=partner_ids
            )
            margins = engine._frame(
                SQL("SELECT partner_id, SUM(margin) AS margin_year FROM (%s) AS o GROUP BY partner_id", confirmed)
            ).set_index("partner_id")["margin_year"]
        customers["margin_year"] = margins.reindex(customers.index).fillna(0.0).astype(float)
        # COPY writes booleans as t / f
        customers["is_key_account"] = customers["is_key_account"].isin([True, "t", "true"])
        for column in ("abc_class", "xyz_class", "customer_segment", "customer_stage"):
            customers[column] = customers[column].astype(object).where(customers[column].notna(), None)
        return customers

    @api.model
    def _channel_type_ids(self, rules):
        """Activity type ids by channel: the rules' types, Odoo's call/email/meeting, types of a
        phone call or meeting category."""
        by_channel = {channel: set() for channel in CHANNELS}
        for xmlid, channel in CHANNEL_XMLIDS.items():
            record = self.env.ref(xmlid, raise_if_not_found=False)
            if record:
                by_channel[channel].add(record.id)
        Type = self.env["mail.activity.type"].sudo().with_context(active_test=False)
        for activity_type in Type.search([("category", "in", list(CATEGORY_CHANNELS))]):
            by_channel[CATEGORY_CHANNELS[activity_type.category]].add(activity_type.id)
        for rule in rules:
            by_channel[rule.channel].add(rule.activity_type_id.id)
            if rule.second_channel and rule.second_activity_type_id:
                by_channel[rule.second_channel].add(rule.second_activity_type_id.id)
        return by_channel

    @api.model
    def _channel_sql(self, type_column, by_channel, otherwise):
        """The channel of an activity type (``type_column``), ``otherwise`` when it has none."""
        cases = SQL(" ").join(
            SQL("WHEN %s = ANY(%s) THEN %s", type_column, sorted(ids), channel) for channel, ids in by_channel.items()
        )
        return SQL("CASE %s WHEN %s IS NOT NULL THEN 'activity' ELSE %s END", cases, type_column, otherwise)

    @api.model
    def _contacts_sql(self, company, as_of, rules, partner_ids=None):
        """Every contact with the customers, as rows (``partner_id`` the commercial partner,
        ``channel``, ``date``), the latest per customer and channel, in one query:

        - messages in the chatter of the customer or its contacts: emails, notes, messages
          sent, activities done (not the automatic notifications);
        - emails and messages sent to them from any other document;
        - activities done on their quotations and orders of the company, and activities done
          kept in the activity views;
        - meetings they attend (when Calendar is installed), up to ``as_of``;
        - their quotations and orders of the company (cancelled ones excepted).
        """
        for model, fnames in (
            ("mail.message", ["model", "res_id", "message_type", "subtype_id", "date", "mail_activity_type_id"]),
            ("mail.activity", ["res_model", "res_id", "active", "date_done", "activity_type_id"]),
            ("sale.order", ["partner_id", "state", "date_order", "company_id"]),
            ("res.partner", ["commercial_partner_id"]),
        ):
            self.env[model].flush_model(fnames)
        by_channel = self._channel_type_ids(rules)
        comment = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        message_channel = self._channel_sql(
            SQL("m.mail_activity_type_id"),
            by_channel,
            SQL(
                "CASE WHEN m.message_type IN ('email', 'email_outgoing') OR m.subtype_id = %s "
                "THEN 'email' ELSE 'note' END",
                comment,
            ),
        )
        people = SQL("AND pe.commercial_partner_id = ANY(%s)", list(partner_ids)) if partner_ids is not None else SQL()
        until = fields.Datetime.to_datetime(as_of) + datetime.timedelta(days=1)
        parts = [
            SQL(
                """
                SELECT pe.commercial_partner_id AS partner_id, %(channel)s AS channel, MAX(m.date)::date AS date
                  FROM mail_message AS m
                  JOIN res_partner AS pe ON pe.id = m.res_id
                 WHERE m.model = 'res.partner' AND m.date < %(until)s
                   AND (m.message_type IN ('email', 'email_outgoing', 'comment') OR m.mail_activity_type_id IS NOT NULL)
                   %(people)s
                 GROUP BY 1, 2
                """,
                channel=message_channel,
                until=until,
                people=people,
            ),
            SQL(
                """
                SELECT pe.commercial_partner_id, 'email', MAX(m.date)::date
                  FROM mail_message_res_partner_rel AS r
                  JOIN mail_message AS m ON m.id = r.mail_message_id
                  JOIN res_partner AS pe ON pe.id = r.res_partner_id
                 WHERE m.model <> 'res.partner' AND m.date < %(until)s
                   AND m.message_type IN ('email', 'email_outgoing', 'comment')
                   %(people)s
                 GROUP BY 1
                """,
                until=until,
                people=people,
            ),
            SQL(
                """
                SELECT pe.commercial_partner_id, %(channel)s, MAX(m.date)::date
                  FROM mail_message AS m
                  JOIN sale_order AS so ON so.id = m.res_id
                  JOIN res_partner AS pe ON pe.id = so.partner_id
                 WHERE m.model = 'sale.order' AND m.mail_activity_type_id IS NOT NULL AND so.company_id = %(company)s
                   AND m.date < %(until)s
                   %(people)s
                 GROUP BY 1, 2
                """,
                channel=message_channel,
                company=company.id,
                until=until,
                people=people,
            ),
            SQL(
                """
                SELECT pe.commercial_partner_id, %(channel)s, MAX(a.date_done)
                  FROM mail_activity AS a
                  JOIN res_partner AS pe ON pe.id = a.res_id
                 WHERE a.res_model = 'res.partner' AND NOT a.active AND a.date_done <= %(as_of)s
                   %(people)s
                 GROUP BY 1, 2
                """,
                channel=self._channel_sql(SQL("a.activity_type_id"), by_channel, SQL("'activity'")),
                as_of=as_of,
                people=people,
            ),
            SQL(
                """
                SELECT pe.commercial_partner_id, CASE WHEN so.state = 'sale' THEN 'order' ELSE 'quotation' END,
                       MAX(so.date_order)::date
                  FROM sale_order AS so
                  JOIN res_partner AS pe ON pe.id = so.partner_id
                 WHERE so.state IN %(states)s AND so.company_id = %(company)s
                   AND so.date_order < %(until)s
                   %(people)s
                 GROUP BY 1, 2
                """,
                company=company.id,
                until=until,
                people=people,
                states=(*OPEN_QUOTATION_STATES, "sale"),  # an order or an open quotation
            ),
        ]
        if "calendar.event" in self.env:
            self.env["calendar.event"].flush_model(["start", "active", "partner_ids"])
            parts.append(
                SQL(
                    """
                    SELECT pe.commercial_partner_id, 'visit', MAX(e.start)::date
                      FROM calendar_event_res_partner_rel AS r
                      JOIN calendar_event AS e ON e.id = r.calendar_event_id
                      JOIN res_partner AS pe ON pe.id = r.res_partner_id
                     WHERE e.active AND e.start < %(until)s
                       %(people)s
                     GROUP BY 1
                    """,
                    until=until,
                    people=people,
                )
            )
        return SQL(" UNION ALL ").join(parts)

    @api.model
    def _contacts_frame(self, company, as_of, rules, partner_ids=None):
        frame = self.env["sale.customer.base.engine"]._frame(self._contacts_sql(company, as_of, rules, partner_ids))
        return frame.rename(columns={frame.columns[1]: "channel", frame.columns[2]: "date"})[
            ["partner_id", "channel", "date"]
        ]

    @api.model
    def _assignees(self, company, due):
        """Who does each due contact: key account manager, salesperson, or the company's fallback."""
        candidates = set(due["key_account_manager_id"].dropna().astype(int)) | set(due["user_id"].dropna().astype(int))
        users = self.env["res.users"].sudo().browse(sorted(candidates)).exists()
        fit = set(users._customer_base_fit(company).ids)
        fallback = company.customer_base_contact_user_id.id or None

        def assignee(row):
            manager = row.key_account_manager_id
            if row.is_key_account and pd.notna(manager) and int(manager) in fit:
                return int(manager)
            if pd.notna(row.user_id) and int(row.user_id) in fit:
                return int(row.user_id)
            return fallback

        return [assignee(row) for row in due.itertuples()]

    @api.model
    def _contact_week_taken(self, due_days, policy=False):
        """The partners of ``due_days`` ({partner id: day a new contact would be due}) whose
        customer already has a contact that week: they get no second one, whoever plans it.

        One contact a week per customer, across the service policy, win-back and campaigns. A
        *contact* is an activity on the customer (the partner's commercial partner) or one of its
        contacts that either was planned from the customer base (``customer_planned``: set by the
        service policy, win-back attempts and campaign tasks only), whatever its type, or is of a
        contact type, whoever scheduled it. The contact types are the policy's channels
        (``_channel_type_ids``): Odoo's Call, Meeting and Email (the types the service rules plan,
        and the campaigns' default) and any type of the Phone Call or Meeting category (the Win-Back
        Call is one). The customer is taken for a new contact due on day D when it has, less than
        7 days from D (from D - 6 to D + 6: a weekly rhythm stays possible),

        - an open contact due that day, or
        - a contact done that day (the message it leaves in the chatter; days in UTC).

        Nothing else counts, open or done: a to-do, an upload, a key account alarm a person or
        Odoo scheduled, an activity on a quotation. With ``policy``, an open activity the service
        policy planned itself (planned, and neither a campaign task's nor a win-back attempt's)
        counts whatever its due date: the policy plans a customer again only once its last contact
        is done.

        One query for all the partners: the planning asks for thousands at once.
        """
        if not due_days:
            return set()
        for model, fnames in (
            (
                "mail.activity",
                ["res_model", "res_id", "active", "customer_planned", "activity_type_id", "date_deadline"],
            ),
            ("mail.message", ["model", "res_id", "mail_activity_type_id", "customer_planned", "date"]),
            ("res.partner", ["commercial_partner_id"]),
            ("sale.customer.campaign.line", ["activity_id"]),
            ("sale.customer.reactivation", ["activity_id"]),
        ):
            self.env[model].flush_model(fnames)
        by_channel = self._channel_type_ids(self.env["sale.customer.service.rule"])
        own = SQL(
            """
            OR (a.customer_planned
                AND NOT EXISTS (SELECT 1 FROM sale_customer_campaign_line AS l WHERE l.activity_id = a.id)
                AND NOT EXISTS (SELECT 1 FROM sale_customer_reactivation AS r WHERE r.activity_id = a.id))
            """
        )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT DISTINCT n.partner_id
                  FROM unnest(%(partners)s::int4[], %(days)s::date[]) AS n(partner_id, day)
                  JOIN res_partner AS c ON c.id = n.partner_id
                  JOIN res_partner AS pe ON pe.commercial_partner_id = c.commercial_partner_id
                 WHERE EXISTS (
                        SELECT 1
                          FROM mail_activity AS a
                         WHERE a.res_model = 'res.partner' AND a.res_id = pe.id AND a.active
                           AND ((a.customer_planned OR a.activity_type_id = ANY(%(types)s))
                                AND a.date_deadline > n.day - %(week)s AND a.date_deadline < n.day + %(week)s
                                %(own)s)
                       )
                    OR EXISTS (
                        SELECT 1
                          FROM mail_message AS m
                         WHERE m.model = 'res.partner' AND m.res_id = pe.id AND m.mail_activity_type_id IS NOT NULL
                           AND (m.customer_planned OR m.mail_activity_type_id = ANY(%(types)s))
                           AND m.date >= n.day - %(week)s + 1 AND m.date < n.day + %(week)s
                       )
                """,
                partners=[int(partner_id) for partner_id in due_days],
                days=[fields.Date.to_date(day) for day in due_days.values()],
                week=CONTACT_WEEK,
                own=own if policy else SQL(),
                types=sorted(set().union(*by_channel.values())),
            )
        )
        return {partner_id for (partner_id,) in rows}

    @api.model
    def _log_waiting(self, company, count):
        if count:
            _logger.info(
                "Contacts of %s: %s due customers wait, contacted or to be contacted within a week", company.name, count
            )

    @api.model
    def _booked(self, user_ids, as_of):
        """Open planned activities per (user id, day) from ``as_of`` on: they count against the cap."""
        groups = (
            self.env["mail.activity"]
            .sudo()
            ._read_group(
                [("user_id", "in", [int(uid) for uid in user_ids]), ("customer_planned", "=", True),
                 ("date_deadline", ">=", as_of)],
                ["user_id", "date_deadline:day"],
                ["__count"],
            )
        )  # fmt: skip
        return {(user.id, fields.Date.to_date(day)): count for user, day, count in groups}

    # ---- writes
    @api.model
    def _store(self, company, schedule, partner_ids=None, busy_ids=()):
        """Write the schedule on the customers (only rows that changed) and clear the values of
        customers it no longer covers (among ``partner_ids`` when given, never those of
        ``busy_ids``)."""
        frame = pd.DataFrame({"id": schedule.index.astype("int64")})
        for column, (fname, sql_type) in CONTACT_FIELDS.items():
            values = schedule[column].reset_index(drop=True)
            if sql_type == "date":
                values = pd.to_datetime(values).dt.strftime("%Y-%m-%d")
            elif sql_type == "int4":
                values = values.astype(float).round().astype("Int64")
            elif sql_type == "float8":
                values = values.astype(float).round(COST_DECIMALS)
            elif sql_type == "bool":
                values = values.fillna(False).astype(bool).map({True: "t", False: "f"})
            frame[fname] = values
        table = SQL.identifier(NEW_CONTACTS_TABLE)
        columns = SQL(", ").join(
            SQL("%s %s", SQL.identifier(fname), SQL(sql_type)) for fname, sql_type in CONTACT_FIELDS.values()
        )
        self.env.cr.execute(
            SQL("CREATE TEMPORARY TABLE IF NOT EXISTS %s (id int4 PRIMARY KEY, %s) ON COMMIT DROP", table, columns)
        )
        self.env.cr.execute(SQL("DELETE FROM %s", table))
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=False)
        buffer.seek(0)
        self.env.cr.copy_expert(f"COPY {NEW_CONTACTS_TABLE} FROM STDIN WITH (FORMAT csv)", buffer)
        if len(frame) > 1000:
            # the planner must know the table is large, or it joins it in a nested loop
            self.env.cr.execute(SQL("ANALYZE %s", table))
        fnames = [SQL.identifier(fname) for fname in CONTACT_FNAMES]
        scope = SQL() if partner_ids is None else SQL("AND m.partner_id = ANY(%s)", list(partner_ids))
        if busy_ids:
            scope = SQL("%s AND m.partner_id <> ALL(%s)", scope, [int(partner_id) for partner_id in busy_ids])
        self.env.cr.execute(
            SQL(
                """
                UPDATE sale_customer_metrics AS m SET %(assignments)s
                  FROM %(table)s AS v
                 WHERE m.company_id = %(company)s AND m.partner_id = v.id
                   AND (%(stored)s) IS DISTINCT FROM (%(new)s)
                       %(scope)s
                """,
                # the row no longer holds what its signature says: the next recompute rewrites it
                assignments=SQL(", ").join(
                    [*(SQL("%s = v.%s", f, f) for f in fnames), SQL("customer_base_signature = NULL")]
                ),
                stored=SQL(", ").join(SQL("m.%s", f) for f in fnames),
                new=SQL(", ").join(SQL("v.%s", f) for f in fnames),
                table=table,
                company=company.id,
                # the few customers of a refresh by their key: the planner cannot know the
                # temporary table holds one row, and would otherwise read every row
                scope=scope,
            )
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE sale_customer_metrics AS m SET %(removals)s
                 WHERE m.company_id = %(company)s AND NOT (%(empty)s)
                   AND NOT EXISTS (SELECT 1 FROM %(table)s AS v WHERE v.id = m.partner_id) %(scope)s
                """,
                removals=SQL(", ").join(
                    [*(SQL("%s = NULL", f) for f in fnames), SQL("customer_base_signature = NULL")]
                ),
                empty=SQL(" AND ").join(SQL("m.%s IS NULL", f) for f in fnames),
                company=company.id,
                table=table,
                scope=scope,
            )
        )
        self.env["res.partner"]._invalidate_customer_figures()
