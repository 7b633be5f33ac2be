"""The translations are complete and safe: nothing left in English, no placeholder lost.

A term missing from a language shows up in English on that user's screen; a
placeholder that differs from the source breaks the message at run time (a
``KeyError`` in ``%`` formatting) exactly when a user needs it.
"""

import base64
import io
import re
from pathlib import Path

import openpyxl
import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

from ..analytics.workbook import SHEETS

MODULE = "sale_customer_base"
I18N = Path(__file__).resolve().parent.parent / "i18n"
LANGUAGES = {"ro": "ro_RO", "ru": "ru_RU", "ar": "ar_001", "zh_CN": "zh_CN"}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdfr]|%[sdfr]|\{\{.*?\}\}|\{[a-z_0-9]*\}")
TAG = re.compile(r"</?([a-zA-Z][\w:-]*)")


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = {entry.msgid: entry for entry in polib.pofile(str(I18N / f"{MODULE}.pot")) if entry.msgid}

    def test_template_holds_every_term_of_the_code(self):
        terms = {src for _module, _type, _name, _res_id, src, _value, _comments in self._code_terms()}
        missing = sorted(terms - set(self.template))
        self.assertFalse(missing, f"terms missing from the .pot (regenerate it): {missing[:10]}")

    def _code_terms(self):
        return TranslationModuleReader(self.env.cr, [MODULE])

    def test_every_language_translates_every_term_with_the_same_placeholders(self):
        for code in LANGUAGES:
            with self.subTest(language=code):
                translations = {entry.msgid: entry.msgstr for entry in polib.pofile(str(I18N / f"{code}.po"))}
                missing = [msgid for msgid in self.template if not translations.get(msgid)]
                self.assertFalse(missing, f"{code}: {len(missing)} terms without translation, e.g. {missing[:5]}")
                for msgid in self.template:
                    msgstr = translations[msgid]
                    self.assertEqual(
                        sorted(PLACEHOLDER.findall(msgstr)),
                        sorted(PLACEHOLDER.findall(msgid)),
                        f"{code}: placeholders of {msgid!r}",
                    )
                    self.assertEqual(
                        sorted(TAG.findall(msgstr)), sorted(TAG.findall(msgid)), f"{code}: markup of {msgid!r}"
                    )

    def test_users_read_labels_and_messages_in_their_language(self):
        label = self.env["res.partner"]._fields["customer_stage"].string
        message = "Customer base recomputed"
        self.assertIn(label, self.template)
        self.assertIn(message, self.template)
        for code, lang in LANGUAGES.items():
            with self.subTest(language=lang):
                translations = {entry.msgid: entry.msgstr for entry in polib.pofile(str(I18N / f"{code}.po"))}
                self.env["res.lang"]._activate_lang(lang)
                self.env["ir.module.module"]._load_module_terms([MODULE], [lang], overwrite=True)
                env = self.env(context={"lang": lang})
                field = env["res.partner"]._fields["customer_stage"]
                self.assertEqual(field._description_string(env), translations[label], "a field label")
                self.assertEqual(env._(message), translations[message], "a message of the code")

    def test_the_workbook_reads_in_the_users_language(self):
        self.env["sale.customer.base.engine"].recompute_customer_base()
        for code, lang in LANGUAGES.items():
            with self.subTest(language=lang):
                translations = {entry.msgid: entry.msgstr for entry in polib.pofile(str(I18N / f"{code}.po"))}
                self.env["res.lang"]._activate_lang(lang)
                self.env["ir.module.module"]._load_module_terms([MODULE], [lang], overwrite=True)
                wizard = self.env["sale.customer.base.export"].with_context(lang=lang).create({})
                wizard.action_export()
                workbook = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file)))
                names = [sheet.title for sheet in workbook.worksheets]
                # every sheet named by its translation (ABC-XYZ stays ABC-XYZ everywhere, "Feedback" is Romanian too)
                translated = {re.sub(r"[\[\]:*?/\\]", " ", translations[name])[:31] for name in SHEETS.values()}
                self.assertLessEqual(set(names), translated, f"{lang}: sheets in the user's language: {names}")
                self.assertIn(translations["Summary"][:31], names)
                headers = [cell.value for cell in workbook.worksheets[1][1]]
                self.assertIn(translations["Customer"], headers, f"{lang}: the Customers sheet's headers")
                self.assertEqual(
                    workbook.worksheets[0].sheet_view.rightToLeft or False, lang == "ar_001", "Arabic from the right"
                )
