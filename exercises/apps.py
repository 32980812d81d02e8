from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExercisesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "exercises"
    verbose_name = _("Backprop exercises")

    def ready(self):
        # The grader is pure Python: hand it Django's gettext, so hints and misconception
        # texts come in the request's language (exercises/grading/i18n.py).
        from django.utils.translation import get_language, gettext, ngettext

        from .grading import i18n

        i18n.install(gettext, ngettext, get_language)

        from . import policy_changes

        policy_changes.connect()
