"""The LTI side of the admin. Platform registrations and their deployments are django-lti's
own admin (lti_tool); here: the tool's keys (rotate), the links between LMS courses and
ours, the per-quiz grade policy, the record of scores sent with a
resend, and a roster sync action on courses. Instructors see what belongs to the courses
they teach; keys and links are for superusers."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from lti_tool.admin import LtiRegistrationAdmin
from lti_tool.models import Key, LtiRegistration

from exercises import selectors
from exercises.admin.base import ScopedAdmin
from exercises.admin.records import CourseAdmin
from exercises.models import Quiz

from . import grade_sync, registration, roster
from .models import CourseLink, GradePolicy, QuizLink, ScoreSend

admin.site.unregister(LtiRegistration)

# django-lti ships no German: the msgids of the labels its models and admin show here, so
# that makemessages keeps them in our catalogue, which translates them (LOCALE_PATHS).
DJANGO_LTI_LABELS = (
    gettext_noop("JWK"), gettext_noop("JWKs"), gettext_noop("public key"),
    gettext_noop("private key"), gettext_noop("is active"), gettext_noop("created"),
    gettext_noop("modified"), gettext_noop("UUID"), gettext_noop("issuer"),
    gettext_noop("client ID"), gettext_noop("audience"), gettext_noop("auth URL"),
    gettext_noop("access token URL"), gettext_noop("keyset URL"),
    gettext_noop("LTI registration"), gettext_noop("LTI registrations"),
    gettext_noop("registration"), gettext_noop("deployment ID"),
    gettext_noop("platform instance"), gettext_noop("PNS URL"),
    gettext_noop("supports Context Copy Notice"),
    gettext_noop("supports Asset Processor Submission Notice"),
    gettext_noop("LTI deployment"), gettext_noop("LTI deployments"),
    # its registration admin's fieldset, which it translates when imported (in English)
    gettext_noop("Static keys"), gettext_noop("For platforms not supporting JWK Set use by tools."),
    # a primary key's column, which Django names without gettext
    gettext_noop("ID"),
)


@admin.register(LtiRegistration)
class RegistrationAdmin(LtiRegistrationAdmin):
    """django-lti's registration page, plus the values to paste into the LMS."""

    readonly_fields = ("tool_urls",)

    def get_fieldsets(self, request, obj=None):
        # django-lti's titles came through gettext at import, in English: ask again now
        own = [(_(name) if name else name,
                {**options, "description": _(options["description"])}
                if options.get("description") else options)
               for name, options in super().get_fieldsets(request, obj)]
        return [*own, (_("This tool's URLs, for the LMS"), {"fields": ["tool_urls"]})]

    @admin.display(description=_("paste into the LMS (from LTI_TOOL_URL)"))
    def tool_urls(self, obj):
        urls = registration.tool_urls(settings.LTI_TOOL_URL)
        return format_html_join(
            mark_safe("<br>"), "{}: <code>{}</code>",
            [(gettext("OIDC login URL"), urls["login"]),
             (gettext("Redirect / target link URI"), urls["launch"]),
             (gettext("Deep Linking URL"), urls["deep_linking"]),
             (gettext("Public JWKS URL"), urls["jwks"])])


@admin.register(Key)
class KeyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "is_active", "datetime_created")
    fields = ("public_key", "is_active", "datetime_created")
    readonly_fields = ("public_key", "datetime_created")
    actions = ("rotate",)

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Rotate: make a new signing key (the selected stay published "
                                "until you deactivate them)"))
    def rotate(self, request, queryset):
        made = Key.objects.generate()
        self.message_user(request, gettext(
            "New signing key %(key)s. Deactivate the old ones once platforms have fetched the "
            "new JWKS (a day is plenty).") % {"key": made})


@admin.register(CourseLink)
class CourseLinkAdmin(admin.ModelAdmin):
    list_display = ("context", "course", "linked_by", "created_at")
    list_select_related = ("context", "course", "linked_by")
    raw_id_fields = ("context",)


@admin.register(QuizLink)
class QuizLinkAdmin(admin.ModelAdmin):
    list_display = ("resource_link", "quiz", "item", "lineitem_url", "can_publish_scores")
    list_select_related = ("resource_link", "quiz", "item")
    raw_id_fields = ("resource_link",)


@admin.register(GradePolicy)
class GradePolicyAdmin(ScopedAdmin):
    """Its own page, not an inline on the quiz: an inline would add a form every quiz
    form post must then carry."""

    course_lookups = ("quiz__course",)
    list_display = ("quiz", "send")
    list_select_related = ("quiz",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "quiz":
            kwargs["queryset"] = Quiz.objects.filter(
                course__in=selectors.taught_courses(request.user)).select_related("course")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ScoreSend)
class ScoreSendAdmin(ScopedAdmin):
    course_lookups = ("link__quiz__course",)
    read_only = True
    list_display = ("learner", "link", "score_given", "score_maximum", "status", "tries",
                    "response_status", "created_at", "sent_at")
    list_filter = ("status",)
    list_select_related = ("learner", "link__resource_link", "link__quiz", "link__item")
    readonly_fields = [f.name for f in ScoreSend._meta.fields]

    def get_urls(self):
        return [path("<int:score_id>/resend/", self.admin_site.admin_view(self.resend_view),
                     name="lti_resend_score")] + super().get_urls()

    def resend_view(self, request, score_id: int):
        """The gradebook's "resend": the learner's current score, sent now."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        score = get_object_or_404(self.scope(ScoreSend.objects.select_related(
            "link__quiz", "link__item"), request.user), pk=score_id)
        grade_sync.record(score.link, score.learner_id, force=True)
        messages.success(request, gettext("Score for %(learner)s sent again.")
                         % {"learner": score.learner})
        return HttpResponseRedirect(reverse("admin:exercises_quiz_gradebook",
                                            args=[score.link.quiz_id]))


@admin.action(description=_("Sync the roster from the linked LMS courses (LTI)"))
def sync_roster(model_admin, request, queryset):
    for course in queryset:
        try:
            counts = roster.sync_roster(course)
        except roster.RosterError as exc:
            model_admin.message_user(request, f"{course}: {exc}", messages.ERROR)
            continue
        model_admin.message_user(request, gettext(
            "%(course)s: %(learners)s learner(s) enrolled, %(instructors)s instructor(s) added "
            "from %(contexts)s LMS course(s).") % {
                "course": course, "learners": counts["learners_enrolled"],
                "instructors": counts["instructors_added"], "contexts": counts["contexts"]})


CourseAdmin.actions = (*(CourseAdmin.actions or ()), sync_roster)
