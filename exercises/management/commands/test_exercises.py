"""manage.py test_exercises [--course C]: run every exercise's question tests.

Each test grades its answers against its variant with the exercise's own rules and
tolerance and checks the score and the code per node it expects. Prints one line per
test (PASS / FAIL with what moved) and exits 1 if any failed: when the engine or the
misconception catalogue changes, a failure names the exercise whose feedback moved.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from exercises import feedback
from exercises.models import Course


class Command(BaseCommand):
    help = "Run the question tests of every exercise (or one course's); exit 1 on a failure."

    def add_arguments(self, parser):
        parser.add_argument("--course", help="a course's id or exact title")

    def handle(self, *args, **options):
        course = None
        if options["course"]:
            wanted = options["course"]
            found = Course.objects.filter(pk=int(wanted)) if wanted.isdigit() else \
                Course.objects.filter(title=wanted)
            course = found.first()
            if course is None:
                raise CommandError(f"no course {wanted!r}")
        results = feedback.run_all(course)
        failed = [r for r in results if not r.passed]
        for result in results:
            test = result.test
            where = f"{test.exercise.title} — {test.name}"
            if result.passed:
                self.stdout.write(f"PASS {where}")
            else:
                self.stdout.write(f"FAIL {where}: {'; '.join(result.problems)}")
        summary = f"{len(results) - len(failed)} of {len(results)} question tests passed"
        if failed:
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))
