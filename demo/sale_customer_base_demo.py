"""Sample customers and two years of orders, dated relative to the install day.

Loaded with the demo data only: every lifecycle stage, every ABC x XYZ cell,
a key account the company critically depends on, contacts under companies,
customers who bought a few times and stopped (as every base has),
and three salespeople, win-back attempts (one won back by a later order),
then a full recompute.
"""

import datetime
import random

from odoo import api, fields, models

# (name, salesperson xml id, pattern, amount per order, extra)
# pattern: days ago of each order, most recent first
MONTHLY = [15 + 30 * i for i in range(24)]
QUARTERLY = [20 + 90 * i for i in range(8)]
TWICE_A_YEAR = [30 + 180 * i for i in range(4)]
DEMO_CUSTOMERS = [
    # the key account: more than half of the revenue
    ("Northwind Wholesale", "base.user_admin", MONTHLY, 30000, {"contacts": 3}),
    ("Atlas Retail Group", "base.user_admin", QUARTERLY, 16000, {"contacts": 2}),
    ("Blue Harbor Foods", "base.user_demo", TWICE_A_YEAR, 20000, {}),
    ("Crescent Hotels", "base.user_demo", MONTHLY, 1800, {"share_of_wallet": 90, "contacts": 1}),
    ("Delta Office Supplies", "base.user_admin", MONTHLY, 1500, {"share_of_wallet": 85}),
    ("Evening Star Events", "base.user_demo", MONTHLY, 900, {"share_of_wallet": 95, "advocate": True}),
    ("Evergreen Clinics", "base.user_demo", QUARTERLY, 3000, {}),
    ("Fjord Logistics", "base.user_admin", TWICE_A_YEAR, 4000, {}),
    ("Granite Builders", "base.user_demo", MONTHLY, 300, {}),
    ("Harbor Light Cafe", "base.user_admin", QUARTERLY, 600, {}),
    ("Ironwood Schools", "base.user_demo", TWICE_A_YEAR, 700, {}),
]
SILENT = {
    "at_risk": [130 + 30 * i for i in range(10)],
    "lost": [420 + 30 * i for i in range(6)],
    "reactivated": [10, 520, 550, 580],
    "new": [12],
    "repeat": [8, 40],
    "new_at_risk": [120],
}
SMALL_NAMES = [
    "Juniper",
    "Kestrel",
    "Linden",
    "Maple",
    "Nimbus",
    "Orchid",
    "Pioneer",
    "Quartz",
    "Redwood",
    "Summit",
    "Tidewater",
    "Umber",
    "Vista",
    "Willow",
    "Yarrow",
    "Zephyr",
    "Aspen",
    "Birch",
    "Cedar",
    "Dune",
    "Ember",
    "Falcon",
    "Glacier",
    "Heron",
    "Indigo",
    "Jasper",
    "Kodiak",
    "Lumen",
    "Meadow",
    "Northstar",
    "Opal",
    "Prairie",
    "Quill",
    "Ridge",
    "Sierra",
    "Timber",
    "Upland",
    "Valley",
    "Wren",
    "Yukon",
    "Zenith",
    "Arbor",
    "Beacon",
    "Cobalt",
    "Drift",
    "Echo",
    "Fern",
    "Grove",
]


CHURN_SEED = 2026  # the gone customers are drawn, the same on every install


def churned_patterns(count, seed=CHURN_SEED):
    """Days ago of the orders of customers who came, bought a few times and stopped, as most bases
    have many: a third never came back after their first order. Without them the model learns
    that nobody ever leaves, and holds a customer silent for months as still active."""
    rng = random.Random(seed)
    patterns = []
    for _index in range(count):
        gap = rng.choice([30, 45, 60, 90])
        start = rng.randint(150, 720)
        orders = rng.choice([1, 1, 1, 1, 2, 2, 3, 4, 6])
        days = [start - k * gap + rng.randint(-6, 6) for k in range(orders)]
        patterns.append([day for day in days if day > 90] or [start])
    return patterns


class SaleCustomerBaseDemo(models.AbstractModel):
    _name = "sale.customer.base.demo"
    _description = "Customer Base Sample Data"

    @api.model
    def _load_demo(self):
        salespeople = [
            self.env.ref("base.user_admin"),
            self.env.ref("base.user_demo"),
            self.env.ref("sale_customer_base.user_demo_salesperson"),
        ]
        product = self.env["product.product"].create(
            {"name": "Consulting Day (sample)", "type": "service", "list_price": 100.0, "standard_price": 65.0}
        )
        specs = [(name, self.env.ref(user), days, amount, extra) for name, user, days, amount, extra in DEMO_CUSTOMERS]
        patterns = ["at_risk", "lost", "reactivated", "new", "repeat", "new_at_risk"]
        for index, name in enumerate(SMALL_NAMES):
            pattern = patterns[index % len(patterns)] if index < 36 else None
            days = SILENT[pattern] if pattern else [MONTHLY, QUARTERLY, TWICE_A_YEAR][index % 3]
            specs.append((f"{name} Trading", salespeople[index % 3], days, 150 + 25 * (index % 7), {}))
        for index, (name, days) in enumerate(zip(SMALL_NAMES, churned_patterns(len(SMALL_NAMES)), strict=True)):
            specs.append((f"{name} Supplies", salespeople[index % 3], days, 120 + 30 * (index % 5), {}))
        partners = self.env["res.partner"].create(
            [{"name": name, "is_company": True, "user_id": user.id} for name, user, _days, _amount, _extra in specs]
        )
        contacts = []
        for partner, (_name, _user, _days, _amount, extra) in zip(partners, specs, strict=True):
            contacts += [
                {"name": f"{partner.name} Buyer {number}", "parent_id": partner.id, "type": "contact"}
                for number in range(1, extra.get("contacts", 0) + 1)
            ]
        contacts = self.env["res.partner"].create(contacts)
        now = fields.Datetime.now()
        orders = []
        for partner, (_name, user, days, amount, _extra) in zip(partners, specs, strict=True):
            buyer = contacts.filtered(lambda contact, partner=partner: contact.parent_id == partner)[:1] or partner
            for age in days:
                orders.append(
                    {
                        "partner_id": buyer.id,
                        "user_id": user.id,
                        "date_order": now - datetime.timedelta(days=age),
                        "state": "sale",
                        "order_line": [
                            fields.Command.create(
                                {"product_id": product.id, "product_uom_qty": amount / 100.0, "price_unit": 100.0}
                            )
                        ],
                    }
                )
        # prospects: quotations only
        for name in ("Acorn Studios", "Bright Path Consulting"):
            prospect = self.env["res.partner"].create({"name": name, "is_company": True})
            orders.append(
                {
                    "partner_id": prospect.id,
                    "state": "sent",
                    "order_line": [fields.Command.create({"product_id": product.id, "product_uom_qty": 5})],
                }
            )
        self.env["sale.order"].with_context(tracking_disable=True).create(orders)
        loyal = {name: extra for name, _user, _days, _amount, extra in DEMO_CUSTOMERS if extra}
        for partner in partners:
            extra = loyal.get(partner.name, {})
            if "share_of_wallet" in extra:
                partner.share_of_wallet = extra["share_of_wallet"]
            if extra.get("advocate"):
                partner.is_customer_advocate = True
        # a referral: Crescent Hotels brought Granite Builders
        referrer = partners.filtered(lambda partner: partner.name == "Crescent Hotels")
        partners.filtered(lambda partner: partner.name == "Granite Builders").referred_by_id = referrer
        partners.filtered(lambda partner: partner.name == "Atlas Retail Group").write(
            {"key_account_reason": "reference", "key_account_manager_id": salespeople[0].id}
        )
        # one manager looking after more customers than the default limit of 3
        overloaded = ("Northwind Wholesale", "Blue Harbor Foods", "Crescent Hotels", "Delta Office Supplies")
        partners.filtered(lambda partner: partner.name in overloaded).key_account_manager_id = salespeople[1]
        self._load_demo_winback(partners, specs)
        self.env["sale.customer.base.engine"].recompute_customer_base()

    def _load_demo_winback(self, partners, specs):
        """Win-back attempts: the reactivated customers were called before their new order (the
        recompute marks them won back), two lost ones refused or did not answer."""
        reasons = {
            "reactivated": "sale_customer_base.sale_customer_reactivation_reason_conditions",
            "refused": "sale_customer_base.sale_customer_reactivation_reason_price",
        }
        today = fields.Date.context_today(self)
        attempts = []
        lost_seen = 0
        for partner, (_name, user, days, _amount, _extra) in zip(partners, specs, strict=True):
            if days == SILENT["reactivated"]:
                attempts.append(
                    {
                        "partner_id": partner.id,
                        "user_id": user.id,
                        "rule": "lost",
                        "stage": "lost",
                        "date": today - datetime.timedelta(days=25),
                        "reason_id": self.env.ref(reasons["reactivated"]).id,
                        "sale_feedback": "A competitor offered 30 days of payment terms.",
                    }
                )
            elif days == SILENT["lost"] and lost_seen < 2:
                lost_seen += 1
                attempts.append(
                    {
                        "partner_id": partner.id,
                        "user_id": user.id,
                        "rule": "lost",
                        "stage": "lost",
                        "date": today - datetime.timedelta(days=20),
                        "outcome": "refused" if lost_seen == 1 else "no_answer",
                        "reason_id": self.env.ref(reasons["refused"]).id if lost_seen == 1 else False,
                    }
                )
        self.env["sale.customer.reactivation"].with_context(tracking_disable=True).create(attempts)

    @api.model
    def _load_demo_key_accounts(self):
        """Key account plans (issue 15): Northwind's people map, target, health history and
        review; Atlas single-threaded; Juniper, chosen as key for its potential and silent for
        three months, with its alarm; a lost customer parted with well."""
        Partner = self.env["res.partner"]
        today = fields.Date.context_today(self)
        admin, marc = self.env.ref("base.user_admin"), self.env.ref("base.user_demo")
        juniper = Partner.search([("name", "=", "Juniper Trading")], limit=1)
        # a reason makes it key at once: its plan is made, and its silence raises the alarm
        juniper.write({"key_account_reason": "potential", "key_account_manager_id": marc.id})
        Plan = self.env["sale.customer.key.account"]
        plans = {plan.partner_id.name: plan for plan in Plan.search([])}
        northwind, atlas = plans["Northwind Wholesale"], plans["Atlas Retail Group"]
        northwind.write(
            {
                "sponsor_id": admin.id,
                "potential_revenue": 600000.0,
                "target_revenue": 450000.0,
                "target_date": today.replace(month=12, day=31),
                "next_review_date": today + datetime.timedelta(days=5),
                "strategy_notes": "<p>Become their only supplier of consulting days in the north: "
                "propose a framework contract at the next review.</p>",
            }
        )
        buyers = Partner.search([("parent_id", "=", northwind.partner_id.id)], order="id")
        roles = [
            ("decision_maker", "champion", "owner", "Management", 4, "Sailing, single malt whisky"),
            ("influencer", "neutral", "manager", "Purchasing", 80, "Football (plays on Sundays)"),
            ("finance", "opponent", "staff", "Accounting", 200, "Gardening"),
        ]
        contacts = self.env["sale.customer.key.account.contact"].create(
            [
                {
                    "plan_id": northwind.id,
                    "partner_id": buyer.id,
                    "role": role,
                    "attitude": attitude,
                    "level": level,
                    "department": department,
                    "birthday": (today + datetime.timedelta(days=days)).replace(year=1975),
                    "preferences": preferences,
                }
                for buyer, (role, attitude, level, department, days, preferences) in zip(buyers, roles, strict=False)
            ]
        )
        contacts[:1].personal_note = "Prefers calls before 9:00; his daughter starts university this autumn."
        # health set at the monthly reviews: good, then slipping
        History = self.env["sale.customer.key.account.health"]
        first = today.replace(day=1)
        for months_ago, health in ((3, "4"), (2, "4"), (1, "3")):
            month = (first - datetime.timedelta(days=28 * months_ago)).replace(day=1)
            History.create({"plan_id": northwind.id, "month": month, "health": health, "user_id": marc.id})
        northwind.health = "2"  # slipping further this month: the trend says worsening
        atlas_buyers = Partner.search([("parent_id", "=", atlas.partner_id.id)], order="id")
        self.env["sale.customer.key.account.contact"].create(
            [
                {"plan_id": atlas.id, "partner_id": buyer.id, "role": role}
                for buyer, role in zip(atlas_buyers, ("user", "finance"), strict=False)
            ]
        )
        atlas.write({"target_revenue": 80000.0, "health": "4", "next_review_date": today + datetime.timedelta(days=40)})
        # a customer lost anyway: the playbook followed, parted well, a referral obtained
        lost = Partner.search([("name", "=", "Kestrel Trading")], limit=1)
        referred = Partner.search([("name", "=", "Acorn Studios")], limit=1)
        attempt = self.env["sale.customer.reactivation"].create(
            {
                "partner_id": lost.id,
                "user_id": admin.id,
                "date": today - datetime.timedelta(days=15),
                "reason_id": self.env.ref("sale_customer_base.sale_customer_reactivation_reason_conditions").id,
                "sale_feedback": "A larger group bought them and buys centrally.",
                "meeting_date": today - datetime.timedelta(days=12),
                "meeting_user_ids": [fields.Command.set([admin.id])],
                "counter_offer": "Two consulting days free on the next order.",
                "gift": "Company calendar and a bottle of wine",
                "referral_asked": True,
                "referred_partner_id": referred.id,
            }
        )
        attempt.action_parted_well()
        # what the nightly job does: Northwind's review and its owner's birthday become to-dos
        self.env["sale.customer.key.account"]._cron_key_account_reminders()
