"""Accommodations in the admin: set, change and remove a learner's (with a reason), and
read the audit trail. Saving goes through exercises.accommodations, which logs it and
copies it onto the learner's attempts."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from .. import accommodations, selectors
from ..course_records import Accommodation, AccommodationLog
from ..models import Quiz
from .base import ScopedAdmin


class AccommodationForm(forms.ModelForm):
    class Meta:
        model = Accommodation
        fields = ("course", "quiz", "learner", "time_multiplier", "extra_attempts", "due_at",
                  "reason")

    def clean(self):
        data = super().clean()
        course, quiz, learner = data.get("course"), data.get("quiz"), data.get("learner")
        if course and quiz and quiz.course_id != course.pk:
            self.add_error("quiz", _("This quiz is not in the course."))
        if course and learner and not course.learners.filter(pk=learner.pk).exists():
            self.add_error("learner", _("This learner is not enrolled in the course."))
        if not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why (it is kept in the audit trail)."))
        return data


@admin.register(Accommodation)
class AccommodationAdmin(ScopedAdmin):
    form = AccommodationForm
    list_display = ("learner", "course", "quiz", "time_multiplier", "extra_attempts",
                    "due_at", "reason", "by_label", "updated_at")
    list_filter = (("course", admin.RelatedOnlyFieldListFilter),
                   ("quiz", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("learner", "course", "quiz")
    search_fields = ("learner__username", "reason")

    def get_readonly_fields(self, request, obj=None):
        # Who and where stay fixed once set: a different learner is another accommodation.
        return ("course", "quiz", "learner") if obj else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        taught = selectors.taught_courses(request.user)
        if db_field.name == "quiz":
            kwargs["queryset"] = Quiz.objects.filter(course__in=taught).select_related(
                "course")
        elif db_field.name == "learner":
            kwargs["queryset"] = get_user_model().objects.filter(
                enrolled_courses__in=taught).distinct().order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data.get(name) for name in accommodations.FIELDS}
        saved, _ = accommodations.set_accommodation(
            learner=obj.learner, course=obj.course, quiz=obj.quiz, values=values,
            reason=form.cleaned_data.get("reason", ""),
            actor=accommodations.Actor.of(request.user))
        obj.pk, obj._state.adding = saved.pk, False

    def delete_model(self, request, obj):
        accommodations.remove_accommodation(obj, actor=accommodations.Actor.of(request.user),
                                            reason="removed in the admin")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(AccommodationLog)
class AccommodationLogAdmin(ScopedAdmin):
    """The audit trail: read only."""

    read_only = True
    list_display = ("at", "action", "learner", "course", "quiz", "values", "reason",
                    "by_label")
    list_filter = ("action", ("course", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("learner", "course", "quiz")
    search_fields = ("learner__username", "reason", "by_label")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]
