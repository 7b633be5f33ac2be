from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class SaleCustomerWorklistMixin(models.AbstractModel):
    """What the win-back and campaign wizards share: the partners selected in the list, the
    two-step form (criteria, then preview) and the bulk creation of one activity per customer.

    The wizards add ``activity_type_id``, ``summary``, ``note`` and ``date_deadline`` (with
    their own defaults); their preview lines have ``partner_id`` and ``user_id``.
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

    def _customer_problems(self, partners):
        """Messages naming those of ``partners`` the user may not work with this wizard."""
        return []

    def _check_customers(self, partners):
        """Checked again at confirmation: customers may have changed hands since the preview."""
        problems = self._customer_problems(partners)
        if problems:
            raise UserError("\n".join(problems))

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

    def _archived_users_problem(self, users):
        """The message naming the archived ones among ``users``, or None."""
        archived = users.filtered(lambda user: not user.active)
        if not archived:
            return None
        return self.env._("These users are archived: %(users)s.", users=", ".join(archived.mapped("name")))

    def _check_assignees(self, lines):
        """Every line has someone, and nobody is archived (they may have been since the preview)."""
        nobody = lines.filtered(lambda line: not line.user_id)
        if nobody:
            raise UserError(
                self.env._(
                    "Nobody is set for %(customers)s: choose someone, or leave them out.",
                    customers=", ".join(nobody.partner_id.mapped("display_name")),
                )
            )
        problem = self._archived_users_problem(lines.user_id)
        if problem:
            raise UserError(problem + " " + self.env._("Choose someone else for their customers."))

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
