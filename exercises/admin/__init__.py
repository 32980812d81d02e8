"""The instructors' admin. Importing the modules registers their ModelAdmins."""

from django.contrib import admin

from . import accommodations, exercise, people, quiz, records  # noqa: F401  (registration)

admin.site.site_header = "backprop-course: instructors"
admin.site.site_title = "backprop-course admin"
admin.site.index_title = "Your courses, exercises and quizzes"
