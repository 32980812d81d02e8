"""`manage.py load_demo`: the demo course, a demo instructor and a demo learner."""

from django.core.management.base import BaseCommand

from exercises.demo.load import load_demo


class Command(BaseCommand):
    help = "Load the demo course built from the course notes' examples, and print logins."

    def add_arguments(self, parser):
        parser.add_argument("--instructor-password", help="default: a new random one")
        parser.add_argument("--learner-password", help="default: a new random one")

    def handle(self, *args, **options):
        demo = load_demo(options["instructor_password"], options["learner_password"])
        user, password = demo["instructor"]
        learner, learner_password = demo["learner"]
        self.stdout.write(self.style.SUCCESS(f"Demo course loaded: {demo['course']}"))
        self.stdout.write("Sign in at http://127.0.0.1:8000/")
        self.stdout.write(f"  learner:    {learner} / {learner_password}")
        self.stdout.write(f"  instructor: {user} / {password}   (admin: /admin/)")
