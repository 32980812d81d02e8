"""Courses, tags, tokens, and the read-only records of learners' work.

Attempts, submissions, regrades and variants are shown but never edited or deleted here:
submissions are append-only and variants are frozen solutions. Because they cannot be
deleted, the admin also refuses to delete an exercise, quiz or course that has learners'
work under it (Django checks delete rights on everything a delete would cascade to).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import selectors
from ..engine.numbers import format_number
from ..models import (
    Attempt,
    Course,
    IntegrationToken,
    Regrade,
    Submission,
    Tag,
    Variant,
)
from .base import ScopedAdmin, is_staff_instructor


@admin.register(Course)
class CourseAdmin(ScopedAdmin):
    course_lookups = ("pk",)
    list_display = ("title", "created_at")
    search_fields = ("title",)
    # Pickers that search (admin/people.py scopes whom): a list of every account on the
    # site would show one instructor everybody else's learners.
    autocomplete_fields = ("instructors", "learners")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in ("instructors", "learners"):
            kwargs["queryset"] = selectors.users_for(request.user)  # a forged id is refused
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Whoever makes a course teaches it; otherwise it would vanish from their admin.
        if not change and not request.user.is_superuser:
            form.instance.instructors.add(request.user)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Tags are shared by every course: any instructor may add one; renaming or deleting
    one (which touches other courses' exercises) is left to Django's permissions."""

    search_fields = ("name",)

    def has_module_permission(self, request):
        return is_staff_instructor(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_staff_instructor(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return is_staff_instructor(request.user) or super().has_add_permission(request)


class RecordAdmin(ScopedAdmin):
    read_only = True

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + list(self.readonly_fields)


@admin.register(Variant)
class VariantAdmin(RecordAdmin):
    course_lookups = ("exercise__course",)
    shared_lookup = "exercise__course"
    list_display = ("exercise", "seed", "created_at")
    list_select_related = ("exercise",)
    search_fields = ("exercise__title",)
    fields = ("exercise", "seed", "created_at", "solution")
    readonly_fields = ("solution",)

    @admin.display(description=_("frozen solution"))
    def solution(self, obj):
        rows = ((n["name"], n["kind"], n.get("symbol") or n["op"] or "",
                 _number(n["data"]), "—" if n["kind"] == "const" else _number(n.get("grad")))
                for n in obj.graph.get("nodes", []))
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                                    "<td>{}</td></tr>", rows)
        head = format_html_join("", "<th>{}</th>", ((word,) for word in (
            gettext("node"), gettext("kind"), gettext("op"), gettext("data"), gettext("grad"))))
        return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
                           head, body)


def _number(value) -> str:
    if value is None:
        return ""
    try:
        return format_number(float(value), 6)
    except (TypeError, ValueError):
        return str(value)


@admin.register(Attempt)
class AttemptAdmin(RecordAdmin):
    course_lookups = ("item__quiz__course", "exercise__course")
    list_display = ("learner", "exercise", "item", "best_score", "graded_count", "solved",
                    "updated_at")
    list_filter = ("solved",)
    list_select_related = ("learner", "exercise", "item__exercise", "item__pool_tag")
    search_fields = ("learner__username", "exercise__title")


@admin.register(Submission)
class SubmissionAdmin(RecordAdmin):
    course_lookups = ("attempt__item__quiz__course", "attempt__exercise__course")
    list_display = ("id", "attempt", "learner", "kind", "score", "raw_score", "valid",
                    "counted", "created_at")
    list_filter = ("valid", "counted", "kind")
    list_select_related = ("attempt__learner", "attempt__exercise")
    search_fields = ("attempt__learner__username", "attempt__exercise__title")

    @admin.display(description=_("learner"), ordering="attempt__learner__username")
    def learner(self, obj):
        return obj.attempt.learner


@admin.register(Regrade)
class RegradeAdmin(RecordAdmin):
    course_lookups = ("submission__attempt__item__quiz__course",
                      "submission__attempt__exercise__course")
    list_display = ("submission", "exercise", "old_score", "new_score", "reason",
                    "created_by", "created_at")
    list_select_related = ("submission__attempt__exercise", "created_by")

    @admin.display(description=_("exercise"))
    def exercise(self, obj):
        return obj.submission.attempt.exercise


@admin.register(IntegrationToken)
class IntegrationTokenAdmin(ScopedAdmin):
    """Only a hash of each key is stored: the key is shown once, on the page after adding
    it. A key is revoked (for good) with the list's action, or made to expire."""

    list_display = ("name", "course", "key_start", "created_at", "expires_at",
                    "last_used_at", "revoked_at")
    list_select_related = ("course",)
    fields = ("course", "name", "expires_at", "key_start", "created_at", "last_used_at",
              "revoked_at")
    readonly_fields = ("key_start", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    @admin.display(description=_("key"))
    def key_start(self, obj):
        return f"{obj.prefix}…"

    def get_fields(self, request, obj=None):
        # The key is made when the token is saved; the add page has none to show.
        return ("course", "name", "expires_at") if obj is None else self.fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.assign_new_key()
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(request, gettext(
                "The key for %(token)s: %(key)s — give it to the LMS; anyone holding it acts "
                "for this course. It is shown only now: only its hash is kept.")
                % {"token": obj, "key": obj.key}, messages.WARNING)

    @admin.action(description=_("Revoke the selected keys (they stop working at once)"))
    def revoke(self, request, queryset):
        revoked = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, gettext("Revoked %(count)s key(s).") % {"count": revoked},
                          messages.SUCCESS)
