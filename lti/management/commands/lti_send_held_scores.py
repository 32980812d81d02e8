"""Send the held LTI scores whose quiz now allows it (what the periodic task does)."""

from django.core.management.base import BaseCommand

from lti import tasks


class Command(BaseCommand):
    help = "Send held LTI scores (after the due date, or once the quiz shows scores)."

    def handle(self, *args, **options):
        count = tasks.send_held_scores()
        self.stdout.write(f"{count} score(s) queued for sending.")
