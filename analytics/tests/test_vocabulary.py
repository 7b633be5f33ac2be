"""One vocabulary: each code's label is defined once, in analytics/vocabulary.py, and imports go one way."""

import ast
import pathlib

import pytest

from analytics import contacts, key_accounts, lifecycle, readiness, rfm, temperature, vocabulary
from analytics.workbook import WorkbookData

PACKAGE = pathlib.Path(__file__).resolve().parents[1]  # the analytics folder


def test_lifecycle_stages_read_as_the_vocabulary_says_in_funnel_order():
    # lifecycle.py keeps a copy until it imports the vocabulary's: the two must not drift apart
    assert list(lifecycle.STAGE_LABELS.items()) == list(vocabulary.STAGE_LABELS.items()), "same stages, same order"
    assert lifecycle.STAGES == tuple(vocabulary.STAGE_LABELS), "the funnel order of the vocabulary"


@pytest.mark.parametrize(
    ("old_name", "labels"),
    [
        (rfm.SEGMENT_LABELS, vocabulary.RFM_SEGMENT_LABELS),
        (temperature.LEVEL_LABELS, vocabulary.TEMPERATURE_LABELS),
        (readiness.READINESS_LABELS, vocabulary.READINESS_LABELS),
    ],
)
def test_the_old_names_are_the_vocabularys_labels(old_name, labels):
    assert old_name is labels, "an alias, not a copy"


def test_codes_the_engine_ranks_follow_the_vocabularys_order():
    assert temperature.LEVELS == ("cold", "cool", "warm", "hot"), "coldest first"
    assert key_accounts.DEPENDENCY_LEVELS == ("none", "elevated", "high", "critical"), "least risk first"
    assert contacts.CHANNELS == ("visit", "call", "email"), "a day's contacts rank visit, call, email"
    assert rfm.SEGMENTS[-1] == "lost", "lost is the segment of last resort"


def test_a_stage_cause_is_the_rule_or_the_temperature_alert():
    expected = {"silence", "probability", *vocabulary.TEMPERATURE_ALERT_LABELS}
    assert set(vocabulary.STAGE_CAUSE_LABELS) == expected, "day rules, model, or the alert"


def test_every_abc_xyz_segment_has_a_label():
    assert list(vocabulary.ABC_XYZ_SEGMENT_LABELS) == [a + x for a in "ABC" for x in "XYZ"], "AX to CZ"


def test_the_workbook_labels_stages_and_risks_with_the_vocabulary():
    data = WorkbookData(None, None, None, None, "T", None, None)
    assert data.stage_labels == vocabulary.STAGE_LABELS, "stage labels by default"
    assert data.risk_labels == vocabulary.DEPENDENCY_RISK_LABELS, "risk labels by default"


def imported_modules(path):
    """Absolute names of the analytics modules ``path`` imports (relative imports resolved)."""
    package = ["analytics", *path.relative_to(PACKAGE).parent.parts]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_engine_never_imports_the_command_line():
    engine = [
        path
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in ("cli", "tests") and path.name != "__main__.py"
    ]
    assert len(engine) > 20, f"the engine's modules are found: {len(engine)}"
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in engine
        if any(name == "analytics.cli" or name.startswith("analytics.cli.") for name in imported_modules(path))
    ]
    assert offenders == [], f"imports go cli -> engine, never back: {offenders}"
