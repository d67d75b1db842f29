"""The rule book's table (docs/rule-book.md) is what the code's rule data generates: fines from the rule book's seed,
thresholds from the clock's settings, each audit rule's acts from the service that refuses the others."""

from pathlib import Path

from penalties.migrations._rule_seed import SEED_FROM as DEFAULT_FROM
from penalties.models import Rule, RuleVersion
from penalties.rule_docs import END, START, markdown, rows, seed_fines
from tests.rulebook_seed import rules_seed

RULE_BOOK = Path(__file__).resolve().parents[2] / "docs" / "rule-book.md"


def test_the_rule_book_shows_exactly_the_generated_rule_table():
    text = RULE_BOOK.read_text(encoding="utf-8")
    assert START in text and END in text, "docs/rule-book.md lacks the rule table markers"
    shown = text[text.index(START) : text.index(END) + len(END)]
    assert shown == markdown(), "docs/rule-book.md's rule table is stale: paste the output of `manage.py rule_table`"


def test_every_rule_has_a_row_and_the_fines_are_the_rule_books(db):
    rules_seed()
    covered = set()
    for row in rows():
        covered |= set(row.code if isinstance(row.code, tuple) else (row.code,))
    assert covered == set(Rule.values)
    seeded = {v.code: f"{v.fine:.0f}" for v in RuleVersion.objects.filter(effective_from=DEFAULT_FROM)}
    assert seed_fines() == seeded


def test_the_table_follows_the_clock_settings(settings):
    settings.ACCEPT_MINUTES, settings.PICKUP_HOURS = 20, 12
    table = markdown()
    assert "20 minutes from arrival" in table and "12 hours from order time" in table
