"""Quizzes with their items inline, and the way to each quiz's gradebook."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import selectors
from ..forms import QuizItemForm
from ..models import Quiz, QuizItem
from . import exports, gradebook, overrides, statistics
from .base import ScopedAdmin, ScopedInline


class QuizItemInline(ScopedInline, admin.TabularInline):
    model = QuizItem
    form = QuizItemForm
    extra = 1
    fields = ("position", "exercise", "pool_tag", "pool_difficulty", "points", "perturb")
    ordering = ("position", "id")
    verbose_name = _("item (a fixed exercise, or a pool: a tag and a difficulty)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("exercise", "pool_tag")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.name in ("exercise", "pool_tag"):
            # One query for the choices, not one per item row (validation still uses the
            # field's queryset, so a forged id is refused).
            field.choices = list(field.choices)
        return field


@admin.register(Quiz)
class QuizAdmin(ScopedAdmin):
    inlines = (QuizItemInline,)
    list_display = ("title", "course", "opens_at", "due_at", "item_count", "gradebook_link")
    list_filter = (("course", admin.RelatedOnlyFieldListFilter), "due_at")
    search_fields = ("title",)
    list_select_related = ("course",)
    actions = ("open_gradebook", *exports.QUIZ_ACTIONS)
    fieldsets = (
        (None, {"fields": ("course", "title", "opens_at", "due_at", "time_limit_minutes",
                           "quiz_time_limit_minutes")}),
        (_("Grading"), {"fields": ("attempts_allowed", "retry_penalty", "hint_level",
                                "follow_through_credit", "step_through")}),
        (_("What learners see"), {"fields": ("show_correctness", "show_solution")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(items_count=Count("items"))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for warning in selectors.shared_number_warnings(form.instance):
            messages.warning(request, warning)

    @admin.display(description=_("items"), ordering="items_count")
    def item_count(self, obj):
        return obj.items_count

    @admin.display(description=_("gradebook"))
    def gradebook_link(self, obj):
        return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>',
                           reverse("admin:exercises_quiz_gradebook", args=[obj.pk]),
                           gettext("Gradebook"),
                           reverse("admin:exercises_quiz_statistics", args=[obj.pk]),
                           gettext("Item analysis"))

    @admin.action(description=_("Open the gradebook of the selected quiz"),
                  permissions=["view"])
    def open_gradebook(self, request, queryset):
        quiz = queryset.order_by("id").first()
        return HttpResponseRedirect(reverse("admin:exercises_quiz_gradebook", args=[quiz.pk]))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:quiz_id>/gradebook/", wrap(self.gradebook_view),
                 name="exercises_quiz_gradebook"),
            path("<int:quiz_id>/gradebook.csv", wrap(self.gradebook_csv_view),
                 name="exercises_quiz_gradebook_csv"),
            path("<int:quiz_id>/gradebook-canvas.csv", wrap(self.gradebook_canvas_csv_view),
                 name="exercises_quiz_gradebook_canvas_csv"),
            path("<int:quiz_id>/statistics/", wrap(self.statistics_view),
                 name="exercises_quiz_statistics"),
            path("<int:quiz_id>/gradebook/<int:learner_id>/override/",
                 wrap(self.quiz_override_view), name="exercises_quiz_override"),
            path("<int:quiz_id>/gradebook/<int:learner_id>/override/remove/",
                 wrap(self.quiz_override_remove_view),
                 name="exercises_quiz_override_remove"),
            path("<int:quiz_id>/gradebook/attempts/<int:attempt_id>/override/",
                 wrap(self.item_override_view), name="exercises_quiz_item_override"),
        ] + super().get_urls()

    def gradebook_view(self, request, quiz_id):
        return gradebook.gradebook_view(self, request, quiz_id)

    def gradebook_canvas_csv_view(self, request, quiz_id):
        return gradebook.canvas_csv_view(self, request, quiz_id)

    def statistics_view(self, request, quiz_id):
        return statistics.statistics_view(self, request, quiz_id)

    def quiz_override_view(self, request, quiz_id, learner_id):
        return overrides.quiz_override_view(self, request, quiz_id, learner_id)

    def quiz_override_remove_view(self, request, quiz_id, learner_id):
        return overrides.quiz_override_remove_view(self, request, quiz_id, learner_id)

    def item_override_view(self, request, quiz_id, attempt_id):
        return overrides.item_override_view(self, request, quiz_id, attempt_id)

    def gradebook_csv_view(self, request, quiz_id):
        return gradebook.csv_view(self, request, quiz_id)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {})}
        if object_id and str(object_id).isdigit():
            extra_context["gradebook_url"] = reverse("admin:exercises_quiz_gradebook",
                                                     args=[object_id])
        return super().change_view(request, object_id, form_url, extra_context)
