"""Enrol the members of the LMS courses linked to a course (LTI Names and Roles)."""

from django.core.management.base import BaseCommand, CommandError

from exercises.models import Course
from lti import roster


class Command(BaseCommand):
    help = "Enrol the members of the LMS contexts linked to COURSE_ID (LTI NRPS)."

    def add_arguments(self, parser):
        parser.add_argument("course_id", type=int)

    def handle(self, *args, course_id, **options):
        course = Course.objects.filter(pk=course_id).first()
        if course is None:
            raise CommandError(f"no course {course_id}")
        try:
            counts = roster.sync_roster(course)
        except roster.RosterError as exc:
            raise CommandError(str(exc)) from None
        if not counts["contexts"] and not counts["skipped"]:
            self.stdout.write(f"{course} is linked to no LMS course (deep link a quiz first).")
            return
        self.stdout.write(
            f"{course}: {counts['contexts']} LMS course(s) read, "
            f"{counts['learners_enrolled']} learner(s) enrolled, "
            f"{counts['instructors_added']} instructor(s) added"
            + (f", {counts['skipped']} not launched yet (no roster URL)"
               if counts["skipped"] else "") + ".")
