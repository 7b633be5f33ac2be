import datetime

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

# Day counts and dates a worklist accepts: a day count of 10^9 would reach before year 1
# and stop the search with a date error instead of a message.
MAX_DAYS = 3650  # days


class SaleCustomerWorklistMixin(models.AbstractModel):
    """What the win-back and campaign wizards share: the partners selected in the list, the
    two-step form (criteria, then preview) and the bulk creation of one activity per customer.

    The wizards add ``activity_type_id``, ``summary``, ``note`` and ``date_deadline`` (with
    their own defaults); their preview lines have ``partner_id`` and ``user_id``.

    Who may be given customers, and which customers, is checked on the server at the preview and
    again at the confirmation (``_check_choices``, ``_check_lines``); ``error`` shows the same
    problems in the form before the click.
    """

    _name = "sale.customer.worklist.mixin"
    _description = "Customer Worklist Wizard"

    step = fields.Selection([("criteria", "Criteria"), ("preview", "Preview")], default="criteria", required=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_ids = fields.Many2many(
        "res.partner", string="Selected Customers", help="Only these customers (selected in the contact list)."
    )
    error = fields.Text("Problems", compute="_compute_error", help="What the next step would refuse.")
    contacted_count = fields.Integer(
        "Already Contacted This Week",
        readonly=True,
        help="Customers left out: they have a call planned or made within a week of the due date, and get one "
        "call a week at most, whether it comes from the service policy, a win-back or a campaign.",
    )

    def _compute_error(self):
        # the wizards declare what it depends on
        for wizard in self:
            problems = wizard._people_problems() + wizard._line_problems(wizard._working_lines())
            wizard.error = "\n".join(problems) or False

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "res.partner" and context.get("active_ids") and "partner_ids" in fields_list:
            partners = self.env["res.partner"].browse(context["active_ids"]).commercial_partner_id
            values["partner_ids"] = [Command.set(partners.ids)]
        return values

    def _write_preview(self, values):
        """Store the search's result. Its lines are the search's figures, which people may not
        write (see ``sale.customer.worklist.line.mixin``): written as superuser, on a wizard the
        user may write."""
        self.check_access("write")
        self.sudo().write(values)

    # ---- who works which customers
    def _chosen_assignees(self):
        """The users chosen in the criteria to be given customers."""
        return self.env["res.users"]

    def _working_lines(self):
        """The preview lines that the confirmation turns into work."""
        return self.line_ids

    def _people_problems(self):
        """Messages on the company, the selected customers and the chosen users."""
        problems = []
        if self.company_id and self.company_id not in self.env.user.company_ids:
            problems.append(self.env._("You do not work for %(company)s.", company=self.company_id.name))
        problems += self._company_problems(self.partner_ids.commercial_partner_id)
        problem = self._assignees_problem(self._chosen_assignees(), self.company_id)
        if problem:
            problems.append(problem)
        return problems

    def _line_problems(self, lines):
        """Messages on the customers and users of ``lines``."""
        problems = self._customer_problems(lines.partner_id)
        nobody = lines.filtered(lambda line: not line.user_id)
        if nobody:
            problems.append(
                self.env._(
                    "Nobody is set for %(customers)s: choose someone, or leave them out.",
                    customers=", ".join(nobody.partner_id.mapped("display_name")),
                )
            )
        problem = self._assignees_problem(lines.user_id, self.company_id)
        if problem:
            problems.append(problem + " " + self.env._("Choose someone else for their customers."))
        return problems

    def _check_lines(self, lines):
        """Checked again at the confirmation: customers may have changed hands and users may
        have been archived since the preview."""
        problems = self._line_problems(lines)
        if problems:
            raise UserError("\n".join(problems))

    def _company_problems(self, partners):
        """The message naming those of ``partners`` kept for another company than the wizard's."""
        elsewhere = partners.filtered(lambda partner: partner.company_id and partner.company_id != self.company_id)
        if not elsewhere:
            return []
        return [
            self.env._(
                "These customers belong to another company than %(company)s: %(customers)s. Leave them out, or "
                "work them from their own company.",
                company=self.company_id.name,
                customers=", ".join(elsewhere.mapped("display_name")),
            )
        ]

    def _customer_problems(self, partners):
        """Messages naming those of ``partners`` the user may not work with this wizard."""
        return self._company_problems(partners)

    @api.model
    def _day_count_problem(self, name):
        """The message for the day count field ``name`` out of 0..MAX_DAYS, or None."""
        if 0 <= self[name] <= MAX_DAYS:
            return None
        what = self._fields[name]._description_string(self.env)
        return self.env._("%(what)s: give a number of days from 0 to %(max)s.", what=what, max=MAX_DAYS)

    def _far_date_problem(self, name):
        """The message for the date field ``name`` more than MAX_DAYS days ahead, or None."""
        if not self[name] or self[name] <= fields.Date.context_today(self) + datetime.timedelta(days=MAX_DAYS):
            return None
        what = self._fields[name]._description_string(self.env)
        return self.env._("%(what)s: choose a date within the next ten years.", what=what)

    @api.model
    def _fit_assignees(self, users, company):
        """Those of ``users`` who may be given customers of ``company`` (``res.users._customer_base_fit``)."""
        return users._customer_base_fit(company)

    @api.model
    def _assignees_problem(self, users, company):
        """The message naming those of ``users`` who may not be given customers of ``company``, or None."""
        return users._customer_base_unfit_message(company)

    # ---- one call a week per customer
    def _contacted_this_week(self, partners):
        """Those of ``partners`` that already have a call planned or made within a week of the due
        date: they get no second one (see ``sale.customer.contact.engine._contact_week_taken``)."""
        taken = (
            self.env["sale.customer.contact.engine"]
            .sudo()
            ._contact_week_taken(dict.fromkeys(partners.ids, self.date_deadline))
        )
        return partners.filtered(lambda partner: partner.id in taken)

    def _without_contacted(self, lines):
        """``lines`` but those whose customer was contacted this week since the preview, which are
        added to ``contacted_count``; an error when none is left."""
        customers = self._contacted_this_week(lines.partner_id)
        contacted = lines.filtered(lambda line: line.partner_id in customers)
        if not contacted:
            return lines
        if contacted == lines:
            raise UserError(
                self.env._(
                    "Every customer of the list has had a call planned or made within a week of the due date "
                    "since the preview: they get one call a week at most. Choose a later due date or other customers."
                )
            )
        self.sudo().contacted_count += len(contacted)
        return lines - contacted

    def _contacted_notification(self, action):
        """``action``, after a message saying how many customers were left out for being contacted
        this week, when some were."""
        if not self.contacted_count:
            return action
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "title": self.env._("One call a week per customer"),
                "message": self.env._(
                    "%(count)s customers are left out: they already have a call planned or made within a week "
                    "of %(date)s.",
                    count=self.contacted_count,
                    date=format_date(self.env, self.date_deadline),
                ),
                "sticky": False,
                "next": action,
            },
        }

    def _reopen(self):
        """Show this wizard again (at its next step)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env["ir.model"]._get(self._name).name,  # the translated description
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            # the preview is a wide list
            "context": {**self.env.context, "dialog_size": "extra-large"},
        }

    def _create_activities(self, lines, summary):
        """One activity per line on its customer, for its user, in one ``create``."""
        # Scheduling an activity asks for write access to the customer, which a salesperson
        # may lack on contacts they can read: the wizard is what gives them the task.
        lines.partner_id.check_access("read")
        # one notification per activity would mean thousands of emails: users see them in their activities
        return (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
            .create(
                [
                    {
                        "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                        "res_id": line.partner_id.id,
                        "activity_type_id": self.activity_type_id.id,
                        "summary": summary,
                        "note": self.note,
                        "date_deadline": self.date_deadline,
                        "user_id": line.user_id.id,
                        "customer_planned": True,  # a plan made from the customer base
                    }
                    for line in lines
                ]
            )
        )


class SaleCustomerWorklistLineMixin(models.AbstractModel):
    """A preview line: the wizard's search writes it; a person only ticks it or changes who works
    the customer (``_person_fields``). Otherwise a hand-made line could carry any customer or
    figure into the attempts and tasks created from it."""

    _name = "sale.customer.worklist.line.mixin"
    _description = "Customer Worklist Line"
    _person_fields = ("user_id",)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(
                self.env._(
                    "Customers are added by the search, not by hand: change the criteria or the selection and "
                    "search again."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        fixed = [name for name in vals if name not in self._person_fields]
        if fixed and not self.env.su:
            raise UserError(
                self.env._(
                    "%(fields)s come from the search and cannot be changed by hand.",
                    fields=", ".join(self._fields[name]._description_string(self.env) for name in fixed),
                )
            )
        return super().write(vals)
