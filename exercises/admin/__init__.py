"""The instructors' admin. Importing the modules registers their ModelAdmins."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import accommodations, exercise, people, quiz, records  # noqa: F401  (registration)

admin.site.site_header = _("backprop-course: instructors")
admin.site.site_title = _("backprop-course admin")
admin.site.index_title = _("Your courses, exercises and quizzes")
