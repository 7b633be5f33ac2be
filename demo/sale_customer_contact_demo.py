"""Sample contacts for the service policy, loaded with the demo data after the customer base.

Calls and emails logged by the three salespeople over the last weeks (some from the plan),
then the day's planning: a fresh demo database shows customers on time, overdue and never
contacted, planned activities, and a planned share in the Sales Activity report.
"""

import datetime

from odoo import api, fields, models

# (customer name, days ago, activity type xml id, planned)
DEMO_CONTACTS = [
    ("Northwind Wholesale", 5, "mail.mail_activity_data_call", True),
    ("Northwind Wholesale", 60, "mail.mail_activity_data_meeting", True),
    ("Crescent Hotels", 45, "mail.mail_activity_data_call", True),
    ("Delta Office Supplies", 12, "mail.mail_activity_data_email", False),
    ("Evening Star Events", 3, "mail.mail_activity_data_call", False),
    ("Juniper Trading", 8, "mail.mail_activity_data_call", True),
    ("Kestrel Trading", 20, "mail.mail_activity_data_email", False),
    ("Maple Trading", 2, "mail.mail_activity_data_call", True),
]


class SaleCustomerContactDemo(models.AbstractModel):
    _name = "sale.customer.contact.demo"
    _description = "Customer Contacts Sample Data"

    @api.model
    def _load_demo(self):
        company = self.env.ref("base.main_company")
        company.customer_base_contact_user_id = self.env.ref("base.user_admin")
        Partner = self.env["res.partner"]
        now = fields.Datetime.now()
        for name, days, xmlid, planned in DEMO_CONTACTS:
            partner = Partner.search([("name", "=", name), ("is_company", "=", True)], limit=1)
            if not partner:
                continue
            activity_type = self.env.ref(xmlid)
            message = partner.message_post(
                body=self.env._("Talked about next quarter's needs."),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                mail_activity_type_id=activity_type.id,
                author_id=(partner.user_id or self.env.ref("base.user_admin")).partner_id.id,
            )
            message.write({"date": now - datetime.timedelta(days=days), "customer_planned": planned})
        Engine = self.env["sale.customer.contact.engine"].with_company(company)
        Engine._plan_company(company)
