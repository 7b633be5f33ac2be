"""Every button and every action of the addon's views, clicked as a sales manager the way the web client does.

A button that no test calls the way the client calls it breaks unnoticed: "Plan Today's Contacts"
was an ``@api.model`` method behind a list-header button, which sends the selected ids, and failed
with a TypeError on every click. Here each ``type="object"`` button goes through ``call_kw`` with
the ids of a record on which it is visible, each window action of the addon is opened (context and
domain evaluated, every view loaded, its records read) and so is each action a button returns.
Refusals (``UserError``, ``ValidationError`` with a message) are answers; anything else is a bug.
"""

import contextlib
import logging
import traceback

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import fields
from odoo.api import call_kw
from odoo.exceptions import AccessDenied, AccessError, MissingError, RedirectWarning, UserError
from odoo.tests import Form, TransactionCase, new_test_user, tagged
from odoo.tools import safe_eval
from odoo.tools.view_validation import get_expression_field_names

from odoo.addons.web.controllers.utils import clean_action

from .common import CustomerBaseCommon

_logger = logging.getLogger(__name__)

MODULE = "sale_customer_base"
VIEW_TYPES_WITH_RECORDS = ("list", "kanban")
GROUPED_VIEW_TYPES = ("pivot", "graph")
CANDIDATES = 1000  # records looked at to find one on which a button is visible
PAGE = 80  # records a list reads, as the web client
# (model, method) of buttons that no record can show in a test database, with the reason;
# each one left out lowers the number of buttons that must be clicked
ALLOW_LIST = {}
# choices a user makes in a wizard before its first button can work: these users fields get the
# user who clicks (the campaign's customers without a salesperson must go to someone)
WIZARD_USER_FIELDS = {"sale.customer.campaign.wizard": ("fallback_user_id",)}
# the settings are for administrators: a sales manager cannot open them
ADMIN_MODELS = {"res.config.settings"}


def _refusal(exc):
    """Whether ``exc`` is a business refusal: a user or validation error that says something."""
    if isinstance(exc, AccessError | AccessDenied | MissingError):
        return False
    if isinstance(exc, UserError | RedirectWarning):
        return bool(exc.args and str(exc.args[0]).strip())
    return False


def _last_line(exc):
    """The error in one line: its class, its message's last line, where the addon raised it, the step."""
    message = str(exc).strip().splitlines()[-1] if str(exc).strip() else ""
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if f"/{MODULE}/" in frame.filename]
    where = f" ({frames[-1].filename.split(f'/{MODULE}/')[-1]}:{frames[-1].lineno})" if frames else ""
    notes = "".join(f" [{note}]" for note in getattr(exc, "__notes__", ()))
    return f"{type(exc).__name__}: {message}{where}{notes}"


@tagged("post_install", "-at_install")
class TestEveryButton(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(cls.env, "every_button_manager", groups="sales_team.group_sale_manager")
        cls.admin = new_test_user(
            cls.env, "every_button_admin", groups="sales_team.group_sale_manager,base.group_system"
        )
        env = cls._user_env(cls.manager)
        # demo data has no running campaign, no pending win-back attempt and no feedback on an
        # order: the manager makes them, so that the buttons only these show can be clicked
        today = fields.Date.context_today(cls.manager)
        form = Form(env["sale.customer.campaign.wizard"])
        form.fallback_user_id = cls.manager
        # due in two months: the campaigns the test launches later, due in two weeks, find the
        # customers free (one call a week)
        form.date_deadline = today + relativedelta(months=2)
        form.date_end = today + relativedelta(months=3)
        wizard = form.save()
        wizard.action_preview()
        wizard.action_launch()
        attempt = env["sale.customer.reactivation"].search([], limit=1)
        env["sale.customer.reactivation"].create({"partner_id": attempt.partner_id.id})
        order = env["sale.order"].search([("state", "=", "sale")], limit=1)
        feedback = order.action_new_customer_feedback()
        cls._fill(Form(env[feedback["res_model"]].with_context(feedback["context"])))

    @classmethod
    def _user_env(cls, user):
        """The environment of a request of ``user``: its language, timezone and company."""
        context = dict(user.context_get(), allowed_company_ids=[user.company_id.id])
        return cls.env(user=user, context=context)

    def _env_for(self, model):
        return self._user_env(self.admin if model in ADMIN_MODELS else self.manager)

    def _eval_context(self, env, **values):
        """What the web client evaluates domains, contexts and modifiers with."""
        today = fields.Date.context_today(env.user)
        return {
            "uid": env.uid,
            "context_today": lambda: today,
            "today": fields.Date.to_string(today),
            "current_date": fields.Date.to_string(today),
            "now": fields.Datetime.now(),
            "datetime": safe_eval.datetime,
            "time": safe_eval.time,
            "relativedelta": relativedelta,
            "allowed_company_ids": env.companies.ids,
            "current_company_id": env.company.id,
            "active_id": False,
            "active_ids": [],
            "active_model": False,
            "context": dict(env.context),
            **values,
        }

    def setUp(self):
        super().setUp()
        self.failures = []
        self.clicked = set()
        self.openers = {}  # wizard model -> contexts of the actions that open it
        self.refusals = []
        self.opened = 0

    # ---- reading the views
    def _buttons(self):
        """The buttons of the addon's views, as the web client shows them to the user.

        :return: ``{(model, method): [hiding expressions of each place it shows]}`` for the
            object buttons, ``[(model, action id, view xmlid)]`` for the action buttons
        """
        data = self.env["ir.model.data"].search([("module", "=", MODULE), ("model", "=", "ir.ui.view")])
        buttons, action_buttons = {}, []
        for view in self.env["ir.ui.view"].browse(data.mapped("res_id")).sorted("id"):
            # an inheriting view adds its own buttons: found in the combined view of its root
            wanted = {
                (node.get("type"), node.get("name"))
                for node in etree.fromstring(view.arch_db).iter("button")
                if node.get("type") in ("object", "action") and node.get("name")
            }
            if not wanted:
                continue
            root = view
            while root.mode == "extension" and root.inherit_id:
                root = root.inherit_id
            env = self._env_for(root.model)
            arch = env[root.model].get_views([(root.id, root.type)])["views"][root.type]["arch"]
            for node in etree.fromstring(arch).iter("button"):
                if (node.get("type"), node.get("name")) not in wanted:
                    continue
                model, hidden = self._button_model(root.model, node)
                if node.get("type") == "object":
                    buttons.setdefault((model, node.get("name")), []).append(hidden)
                else:
                    action_buttons.append((model, int(node.get("name")), view.xml_id))
        return buttons, action_buttons

    def _button_model(self, model, node):
        """The model a button of ``model``'s view acts on (the comodel inside a field's own view)
        and the ``invisible`` expressions that hide it, from its own view."""
        hidden = []
        for parent in [node, *node.iterancestors()]:
            if parent.tag == "field" and parent is not node and len(parent):
                break
            if parent.get("invisible") not in (None, "0", "False", "false"):
                hidden.append(parent.get("invisible"))
        for parent in reversed(list(node.iterancestors())):
            if parent.tag == "field" and len(parent) and parent.get("name") in self.env[model]._fields:
                model = self.env[model]._fields[parent.get("name")].comodel_name or model
        return model, hidden

    def _visible_record(self, env, model, places):
        """A record of ``model`` on which the button shows in one of its ``places``, or None."""
        records = env[model].search([], limit=CANDIDATES)
        for hidden in places:
            for values in self._modifier_values(records, hidden):
                if not self._hidden(env, values, hidden):
                    return records.browse(values["id"])
        return None

    def _shows_on(self, env, record, places):
        """Whether a button hidden by the expressions of one of ``places`` shows on ``record``."""
        return any(not self._hidden(env, self._modifier_values(record, hidden)[0], hidden) for hidden in places)

    def _modifier_values(self, records, hidden):
        """The values of ``records`` the ``hidden`` expressions read, as the web client has them."""
        names = {name.split(".")[0] for expr in hidden for name in get_expression_field_names(expr)}
        return records.web_read({name: {} for name in names & set(records._fields)})

    def _hidden(self, env, values, hidden):
        scope = self._eval_context(env, **values, parent={})
        return any(safe_eval.safe_eval(expr, scope) for expr in hidden)

    # ---- clicking
    def _click(self, env, model, method, records, label, keep=False):
        """Call ``method`` on ``records`` as the web client's call_button, open the action it
        returns; in a savepoint rolled back afterwards unless ``keep`` (and it succeeded)."""
        savepoint = env.cr.savepoint()
        try:
            result = call_kw(env[model], method, [records.ids], {"context": dict(env.context)})
            env.flush_all()
            self.assertIsInstance(result, dict | bool | type(None), f"{label} returns an action, a flag or nothing")
            if isinstance(result, dict) and result.get("type"):
                action = clean_action(dict(result), env)
                if action["type"] == "ir.actions.act_window":
                    self._open_action(env, action, f"{label} -> {action.get('name') or action['res_model']}")
                elif action.get("tag") == "display_notification":
                    self.assertTrue(action["params"].get("message"), f"{label}: the notification says something")
            self.clicked.add((model, method))
        except Exception as exc:  # noqa: BLE001 - every error is sorted below
            savepoint.close(rollback=True)
            if _refusal(exc):
                self.clicked.add((model, method))
                self.refusals.append(f"{label}: {exc.args[0]}")
            else:
                self.failures.append(f"{label}: {_last_line(exc)}")
            return None
        savepoint.close(rollback=not keep)
        return result

    def _open_action(self, env, action, label, active=None, overrides=None):
        """Open a window action like the web client: its context and domain evaluated, each view
        loaded, the records of its list, kanban, pivot and graph read, its form filled."""
        overrides = overrides or {}
        scope = self._eval_context(env, **(active or {}))
        context = action.get("context") or {}
        if isinstance(context, str):
            context = safe_eval.safe_eval(context, scope)
        if overrides.get("context"):
            context = {**context, **safe_eval.safe_eval(overrides["context"], scope)}
        context = {**env.context, **(active or {}), **context}
        scope["context"] = context
        domain = overrides.get("domain") or action.get("domain") or []
        if isinstance(domain, str):
            domain = safe_eval.safe_eval(domain, scope)
        model = env[action["res_model"]].with_context(context)
        self.opened += 1
        if action.get("target") == "new" and model._transient and not action.get("res_id"):
            self.openers.setdefault(model._name, []).append((context, label))
        views = [(view_id, "list" if mode == "tree" else mode) for view_id, mode in action["views"]]
        if overrides.get("view_mode"):
            views = [view for view in views if view[1] == overrides["view_mode"]] or [(False, overrides["view_mode"])]
        search_view = action.get("search_view_id") or False
        if isinstance(search_view, list | tuple):
            search_view = search_view[0]
        loaded = model.get_views([*views, (search_view, "search")], {"toolbar": True, "load_filters": True})
        models = loaded["models"]
        spec = self._spec(models, model._name)
        domain, groupbys = self._default_filters(loaded["views"]["search"]["arch"], context, domain, scope)
        for _view_id, mode in views:
            try:
                self._read_view(model, action, mode, loaded, spec, domain, groupbys, context, label)
            except Exception as exc:
                exc.add_note(f"{mode} view")
                raise

    def _read_view(self, model, action, mode, loaded, spec, domain, groupbys, context, label):
        """Read the records of one view of an action the way the web client does."""
        arch = etree.fromstring(loaded["views"][mode]["arch"])
        if model._name == "board.board":
            for node in arch.iter("action"):
                self._open_board_action(model.env, node.attrib, f"{label} / {node.get('string')}")
        elif mode in VIEW_TYPES_WITH_RECORDS:
            group_by = groupbys[:1] or ([arch.get("default_group_by")] if arch.get("default_group_by") else [])
            if group_by:
                model.web_read_group(domain, ["__count"], group_by)
            model.web_search_read(domain, spec, limit=PAGE)
        elif mode == "form":
            record = model.browse(action["res_id"]) if action.get("res_id") else model.search(domain, limit=1)
            if record:
                record.web_read(spec)
            else:
                model.onchange({}, [], spec)
        elif mode in GROUPED_VIEW_TYPES:
            measures, rows = self._grouped_view(mode, arch, context, model)
            rows = list(dict.fromkeys([*groupbys, *rows]))
            for groupby in [*([row] for row in rows), rows]:
                model.read_group(domain, measures, groupby, lazy=False)

    def _open_board_action(self, env, attrib, label):
        """An action of a dashboard, with the context, domain and view of its place on the board."""
        action = env["ir.actions.act_window"].browse(int(attrib["name"]))._get_action_dict()
        self._open_action(env, clean_action(action, env), label, overrides=attrib)

    def _spec(self, models, model, depth=0):
        """What the web client reads of ``model``: the fields of its views, many2one names, one level of lines."""
        spec = {}
        for name, info in models.get(model, {}).get("fields", {}).items():
            if info["type"] == "many2one":
                spec[name] = {"fields": {"display_name": {}}}
            elif info["type"] in ("one2many", "many2many") and not depth and info["relation"] in models:
                spec[name] = {"fields": self._spec(models, info["relation"], depth + 1), "limit": 40}
            elif info["type"] != "properties":
                spec[name] = {}
        return spec

    def _default_filters(self, search_arch, context, domain, scope):
        """The action's domain with its ``search_default_*`` filters, and the groupbys they ask."""
        arch = etree.fromstring(search_arch)
        groupbys = []
        for key, value in context.items():
            if not key.startswith("search_default_") or not value:
                continue
            for node in arch.iter("filter"):
                if node.get("name") != key.removeprefix("search_default_"):
                    continue
                if node.get("domain"):
                    domain = [*domain, *safe_eval.safe_eval(node.get("domain"), scope)]
                if node.get("context"):
                    group_by = safe_eval.safe_eval(node.get("context"), scope).get("group_by")
                    groupbys += [group_by] if isinstance(group_by, str) else list(group_by or [])
        return domain, groupbys

    def _grouped_view(self, mode, arch, context, model):
        """Measures and groupbys of a pivot or graph view: the action's context, else the view's."""
        if mode == "pivot":
            measures = context.get("pivot_measures")
            rows = [*(context.get("pivot_row_groupby") or []), *(context.get("pivot_column_groupby") or [])]
        else:
            measures = [context["graph_measure"]] if context.get("graph_measure") else None
            rows = list(context.get("graph_groupbys") or [])
        nodes = list(arch.iter("field"))
        if measures is None:
            measures = [node.get("name") for node in nodes if node.get("type") == "measure"]
        if not rows:
            rows = [
                node.get("name") + (f":{node.get('interval')}" if node.get("interval") else "")
                for node in nodes
                if node.get("type") != "measure" and not node.get("invisible")
            ]
        measures = [name for name in measures if name != "__count"]
        for name in measures:
            self.assertIn(name, model._fields, f"measure {name} of a {mode} view of {model._name} is a field")
        return [*measures, "__count"], rows

    # ---- the test
    def test_every_button_and_action(self):
        buttons, action_buttons = self._buttons()
        self.assertTrue(buttons and action_buttons, "the views of the addon have object and action buttons")
        # the buttons of records first: some open the wizards clicked last
        wizards = {}
        for (model, method), places in buttons.items():
            if self.env[model]._transient:
                wizards.setdefault(model, []).append((method, places))
                continue
            env = self._env_for(model)
            record = self._visible_record(env, model, places)
            if record is None:
                if (model, method) not in ALLOW_LIST:
                    self.failures.append(f"{model}.{method}: no record shows it")
                continue
            self._click(env, model, method, record, f"{model}.{method} on {record.display_name!r}")
        for model, action_id, xml_id in action_buttons:
            env = self._env_for(model)
            record = env[model].search([], limit=1)
            active = {"active_id": record.id, "active_ids": record.ids, "active_model": model}
            label = f"action button of {xml_id}"
            self._try(env, label, self._open_action_id, env, action_id, label, active)
        self._open_window_actions()
        self._run_server_actions()
        for model, methods in wizards.items():
            self._click_wizard(model, methods)
        _logger.info(
            "%s of %s buttons clicked, %s actions opened; business refusals:\n%s",
            len(self.clicked & set(buttons)),
            len(buttons),
            self.opened,
            "\n".join(self.refusals),
        )
        self.assertFalse(self.failures, "buttons and actions that fail:\n" + "\n".join(self.failures))
        expected = set(buttons) - set(ALLOW_LIST)
        self.assertGreaterEqual(
            len(self.clicked & set(buttons)),
            len(expected),
            f"every button is clicked but those of the allow-list; not clicked: {sorted(expected - self.clicked)}",
        )

    def _try(self, env, label, function, *args):
        with contextlib.closing(env.cr.savepoint()):
            try:
                function(*args)
                env.flush_all()
            except Exception as exc:  # noqa: BLE001 - sorted below
                if not _refusal(exc):
                    self.failures.append(f"{label}: {_last_line(exc)}")

    def _open_action_id(self, env, action_id, label, active):
        action_type = self.env["ir.actions.actions"].browse(action_id).type
        values = env[action_type].browse(action_id)._get_action_dict()
        self._open_action(env, clean_action(values, env), label, active=active)

    def _open_window_actions(self):
        """Each window action of the addon, from its menu and, when it has one, from its binding."""
        data = self.env["ir.model.data"].search([("module", "=", MODULE), ("model", "=", "ir.actions.act_window")])
        for action in self.env["ir.actions.act_window"].browse(data.mapped("res_id")).sorted("id"):
            env = self._env_for(action.res_model)
            values = clean_action(action._get_action_dict(), env)
            self._try(env, action.xml_id, self._open_action, env, values, action.xml_id)
            if action.binding_model_id:
                bound = action.binding_model_id.model
                records = self._selection(env, bound)
                active = {"active_id": records[:1].id, "active_ids": records.ids, "active_model": bound}
                label = f"{action.xml_id} on {len(records)} {bound}"
                self._try(env, label, self._open_action, env, dict(values), label, active)

    def _selection(self, env, model):
        """What a user selects in a list to run a bound action: customers with orders for contacts."""
        if model == "res.partner":
            return env[model].search([("sale_order_ids.state", "=", "sale"), ("is_company", "=", True)], limit=5)
        return env[model].search([], limit=5)

    def _run_server_actions(self):
        """The server actions of the addon's menus (not those of its scheduled jobs)."""
        data = self.env["ir.model.data"].search([("module", "=", MODULE), ("model", "=", "ir.actions.server")])
        actions = (
            self.env["ir.actions.server"]
            .browse(data.mapped("res_id"))
            .filtered(lambda action: action.usage != "ir_cron")
        )
        self.assertTrue(actions, "the menus of the addon run server actions")
        env = self._user_env(self.manager)
        for action in actions.sorted("id"):
            self._try(env, action.xml_id, self._run_server_action, env, action)

    def _run_server_action(self, env, action):
        result = action.with_env(env).run()
        if result and result.get("type") == "ir.actions.act_window":
            self._open_action(env, clean_action(result, env), action.xml_id)

    @classmethod
    def _fill(cls, form):
        """Save the wizard's form as a user who fills what it requires: the first choice, a day next week."""
        for _attempt in range(len(form._view["fields"])):
            try:
                return form.save()
            except AssertionError as exc:
                name = str(exc).split(" is a required field")[0]
                if name == str(exc) or name not in form._view["fields"]:
                    raise
                field = form._record._fields[name]
                if field.type == "many2one":
                    form[name] = form._record.env[field.comodel_name].search([], limit=1)
                elif field.type == "date":
                    form[name] = fields.Date.context_today(form._record) + relativedelta(days=7)
                else:
                    raise
        return form.save()

    def _click_wizard(self, model, methods):
        """Open the wizard the way each of its actions does, then click its buttons as they show,
        in the order of the form (find, then confirm, then back), each click kept for the next."""
        sessions = self.openers.get(model) or [({}, "opened without context")]
        env = self._env_for(model)
        for context, label in sessions:
            with contextlib.closing(env.cr.savepoint()):
                try:
                    form = Form(env[model].with_context(context))
                    for name in WIZARD_USER_FIELDS.get(model, ()):
                        form[name] = env.user
                    wizard = self._fill(form)
                except Exception as exc:  # noqa: BLE001 - sorted below
                    if not _refusal(exc):
                        self.failures.append(f"{model} opened by {label}: {_last_line(exc)}")
                    continue
                done = set()
                while True:
                    # the first button of the form that shows now: find, then confirm, then back
                    wizard.invalidate_recordset()
                    shown = [m for m, places in methods if m not in done and self._shows_on(env, wizard, places)]
                    if not shown:
                        break
                    done.add(shown[0])
                    self._click(env, model, shown[0], wizard, f"{model}.{shown[0]} ({label})", keep=True)
        for method, _places in methods:
            if (model, method) not in self.clicked and (model, method) not in ALLOW_LIST:
                self.failures.append(f"{model}.{method}: the wizard never shows it")


@tagged("post_install", "-at_install")
class TestPlanTodaysContacts(CustomerBaseCommon):
    """Plan Today's Contacts says how many contacts were planned and for whom."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.env["res.partner"])

        def user(login, name, group="sales_team.group_sale_salesman"):
            return new_test_user(
                cls.env, login, groups=group, name=name, company_id=cls.company.id, company_ids=[cls.company.id]
            )

        cls.ann = user("plan_ann", "Ann Seller")
        cls.bob = user("plan_bob", "Bob Seller")
        cls.boss = user("plan_boss", "Boss Manager", "sales_team.group_sale_manager")
        Rule = cls.env["sale.customer.service.rule"].with_company(cls.company)
        Rule.search([("company_id", "=", cls.company.id)]).active = False
        Rule.create({"name": "Everybody", "company_id": cls.company.id, "cadence_days": 30, "channel": "call"})
        cls.other.user_id = cls.ann
        cls.customer.user_id = cls.ann
        third = cls.env["res.partner"].create({"name": "Third Customer", "is_company": True, "user_id": cls.bob.id})
        # ordered 100 days ago, never called since: due today with a call every 30 days
        for partner in (cls.customer, cls.other, third):
            cls.order(partner, today - relativedelta(days=100), 1000.0)
        cls.env["sale.customer.base.engine"].sudo().with_company(cls.company)._recompute_company(cls.company)

    def plan(self):
        Rule = self.env["sale.customer.service.rule"].with_user(self.boss).with_company(self.company)
        # as the list's header button: with the selected rules, none here
        return call_kw(Rule, "action_plan_contacts", [[]], {})["params"]

    def test_message_names_each_assignee_and_count(self):
        params = self.plan()
        self.assertEqual(
            params["message"], "3 contacts planned: Ann Seller 2, Bob Seller 1.", "how many, and for whom, most first"
        )
        self.assertIn(self.company.name, params["title"], "which company's contacts")
        self.assertEqual(
            self.plan()["message"], "No contact is due today.", "the second click finds every due customer planned"
        )

    def test_one_contact_names_its_assignee(self):
        # without a salesperson, and the company without a fallback user, a customer is left unplanned
        (self.customer | self.other).user_id = False
        self.assertEqual(self.plan()["message"], "1 contact planned: Bob Seller.", "one contact, for Bob")
