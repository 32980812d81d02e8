from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the demo course (placeholder)."

    def handle(self, *args, **options):
        self.stdout.write("demo course: (not yet built)")
