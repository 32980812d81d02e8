"""`manage.py export --format json|qti|moodle QUIZ_ID [QUIZ_ID …] > file`

Writes the quizzes with their exercises to stdout as bytes (a zip for QTI), or to
--output FILE.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from exercises.exports import FORMATS, export
from exercises.models import Quiz


class Command(BaseCommand):
    help = "Export quizzes and their exercises as the JSON bank, a QTI 1.2 zip or Moodle XML."

    def add_arguments(self, parser):
        parser.add_argument("quiz_ids", nargs="+", type=int, metavar="QUIZ_ID")
        parser.add_argument("--format", choices=sorted(FORMATS), default="json")
        parser.add_argument("--output", default="-", help="a file to write (default: stdout)")

    def handle(self, *args, **options):
        ids = options["quiz_ids"]
        quizzes = {quiz.pk: quiz for quiz in Quiz.objects.filter(pk__in=ids)}
        missing = [str(pk) for pk in ids if pk not in quizzes]
        if missing:
            raise CommandError(f"there is no quiz with id {', '.join(missing)}")
        result = export(options["format"], quizzes=[quizzes[pk] for pk in dict.fromkeys(ids)])
        if options["output"] == "-":
            stream = self.stdout._out
            stream = getattr(stream, "buffer", stream)  # bytes: a zip is not text
            stream.write(result.content)
            stream.flush()
            return
        try:
            with open(options["output"], "wb") as handle:
                handle.write(result.content)
        except OSError as exc:
            raise CommandError(f"cannot write {options['output']}: {exc}") from None
        sys.stderr.write(f"wrote {len(result.content)} bytes to {options['output']}\n")
