"""`python manage.py generate --difficulty N [--count K] [--seed S] [--save --tag T]`

Prints K generated programs in the authoring language, one blank line between them, or
saves them as exercises with --save.
"""

from django.core.management.base import BaseCommand, CommandError

from exercises.engine.generator import DIFFICULTIES, MAX_COUNT, generate_many


class Command(BaseCommand):
    help = ("Generate random, well-behaved exercise programs at a difficulty from 1 to 5 and "
            "print them (separated by blank lines) or save them as exercises.")

    def add_arguments(self, parser):
        parser.add_argument("--difficulty", type=int, required=True, choices=DIFFICULTIES,
                            help="1: + and × only … 5: 12–20 operations with max/min/relu")
        parser.add_argument("--count", type=int, default=1,
                            help=f"how many programs (1–{MAX_COUNT}, default 1)")
        parser.add_argument("--seed", type=int, default=0,
                            help="a whole number ≥ 0; the same seed gives the same programs")
        parser.add_argument("--save", action="store_true",
                            help="save the programs as exercises instead of printing them")
        parser.add_argument("--tag", default="",
                            help="a tag for the saved exercises (with --save)")
        parser.add_argument("--course", type=int, default=None,
                            help="the id of the course the saved exercises belong to "
                                 "(with --save; default: shared, no course)")

    def handle(self, *args, **options):
        difficulty, count, seed = options["difficulty"], options["count"], options["seed"]
        tag, save = options["tag"], options["save"]
        if difficulty not in DIFFICULTIES:
            raise CommandError(f"--difficulty must be one of 1–5, not {difficulty}")
        if not 1 <= count <= MAX_COUNT:
            raise CommandError(f"--count must be from 1 to {MAX_COUNT}, not {count}")
        if seed < 0:
            raise CommandError(f"--seed must be a whole number ≥ 0, not {seed}")
        if (tag or options["course"] is not None) and not save:
            raise CommandError("--tag and --course only apply with --save")
        try:
            programs = generate_many(difficulty, count, seed)
        except (ValueError, RuntimeError) as exc:
            raise CommandError(f"could not generate the programs: {exc}") from None

        if not save:
            self.stdout.write("\n\n".join(text.rstrip("\n") for text in programs))
            return
        try:
            from exercises.services import create_generated_exercises
        except ImportError:
            raise CommandError("saving needs the quiz bank (exercises.services)") from None
        course = None
        if options["course"] is not None:
            from exercises.models import Course

            course = Course.objects.filter(pk=options["course"]).first()
            if course is None:
                raise CommandError(f"there is no course with id {options['course']}")
        created = create_generated_exercises(programs, difficulty, tag, course=course)
        try:
            saved = len(created)
        except TypeError:
            saved = len(programs)
        self.stdout.write(f"saved {saved} exercise(s) at difficulty {difficulty}"
                          + (f" tagged '{tag}'" if tag else ""))
