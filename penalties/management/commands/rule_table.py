from django.core.management.base import BaseCommand

from penalties.rule_docs import markdown


class Command(BaseCommand):
    help = (
        "Print the rule table of docs/rule-book.md (who answers for which deadline, every edge; Chinese and English)."
    )

    def handle(self, *args, **options):
        self.stdout.write(markdown())
