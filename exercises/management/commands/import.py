"""`manage.py import FILE [--course COURSE_ID] [--author USERNAME]`

Creates the exercises and quizzes of a JSON bank (`manage.py export --format json`) as new
objects. The file is checked whole first; a refused file changes nothing and the message
says where in the file the problem is.
"""

from __future__ import annotations

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from exercises.exports.importing import MAX_BYTES, BankError, import_bank
from exercises.models import Course


class Command(BaseCommand):
    help = "Import a JSON bank of exercises and quizzes (new objects; never submissions)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the bank's JSON file, or - for stdin")
        parser.add_argument("--course", type=int, default=None,
                            help="the course to import into (needed for quizzes; without "
                                 "it, exercises are imported shared)")
        parser.add_argument("--author", default=None,
                            help="username recorded as the exercises' author")

    def handle(self, *args, **options):
        data = _read(options["file"])
        course = author = None
        if options["course"] is not None:
            course = Course.objects.filter(pk=options["course"]).first()
            if course is None:
                raise CommandError(f"there is no course with id {options['course']}")
        if options["author"]:
            author = get_user_model().objects.filter(username=options["author"]).first()
            if author is None:
                raise CommandError(f"there is no user {options['author']!r}")
        try:
            result = import_bank(data, course=course, author=author)
        except BankError as exc:
            raise CommandError(f"{options['file']}: {exc.message}") from None
        where = f"course {course.pk} ({course.title})" if course else "shared (no course)"
        self.stdout.write(f"imported {len(result.exercises)} exercise(s) and "
                          f"{len(result.quizzes)} quiz(zes) into {where}")
        for quiz in result.quizzes:
            self.stdout.write(f"  quiz {quiz.pk}: {quiz.title} ({quiz.items.count()} items)")


def _read(path: str) -> bytes:
    try:
        if path == "-":
            return sys.stdin.buffer.read(MAX_BYTES + 1)
        with open(path, "rb") as handle:
            return handle.read(MAX_BYTES + 1)  # a larger file is refused by its size
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc}") from None
