"""The exercise admin: authoring with validation at the line, a live preview, and the
instructor's actions (generate, duplicate, preview as a learner, regrade)."""

from __future__ import annotations

import logging

import kombu.exceptions
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import feedback, selectors, services, tasks
from ..engine.generator import generate_many
from ..forms import ExerciseForm, GenerateForm, RegradeForm
from ..models import Exercise, Granularity, Regrade
from . import exports, preview
from . import feedback as own_feedback
from . import resolve as resolve_pages
from .base import ScopedAdmin

log = logging.getLogger(__name__)


def learner_preview_url(exercise_id: int) -> str | None:
    """The learner page's preview of an exercise, if the learner pages provide one."""
    try:
        return reverse("exercises:preview_exercise", args=[exercise_id])
    except NoReverseMatch:
        return None


KIND_SETTINGS = ("learning_rate", "parameters", "nudge_input", "nudge_h")


@admin.register(Exercise)
class ExerciseAdmin(ScopedAdmin):
    form = ExerciseForm
    shared_lookup = "course"
    list_display = ("title", "course", "difficulty", "ask", "tag_list", "variant_count")
    list_filter = (("course", admin.RelatedOnlyFieldListFilter),
                   ("tags", admin.RelatedOnlyFieldListFilter), "difficulty", "ask")
    search_fields = ("title", "program")
    filter_horizontal = ("tags",)
    list_select_related = ("course",)
    actions = ("duplicate", "preview_as_learner", "regrade", *exports.EXERCISE_ACTIONS)
    inlines = (own_feedback.FeedbackRuleInline, own_feedback.QuestionTestInline)
    fieldsets = (
        (None, {"fields": ("title", "course", "program", "mermaid")}),
        (gettext_lazy("What is asked"), {"fields": ("difficulty", "ask", "granularity",
                                                    "asked_nodes", "tags")}),
        (gettext_lazy("Update and nudge exercises"), {
            "fields": ("learning_rate", "parameters", "nudge_input", "nudge_h"),
            "description": gettext_lazy(
                "Only for the kinds that ask a gradient-descent update (η and the parameters) "
                "or a nudge (the input x and the step h).")}),
        (gettext_lazy("Tolerance"),
         {"fields": ("tolerance_rel", "tolerance_abs", "tolerance_sig_figs")}),
    )

    class Media:
        # The editor (CodeMirror, vendored) before the preview script that attaches it.
        js = ("vendor/codemirror/editor.js", "admin/exercises/preview.js",
              "admin/exercises/a11y.js")

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("tags")
        return queryset.annotate(variants_stored=Count("variants", distinct=True))

    @admin.display(description=gettext_lazy("tags"))
    def tag_list(self, obj):
        return ", ".join(tag.name for tag in obj.tags.all())

    @admin.display(description=gettext_lazy("stored variants"), ordering="variants_stored")
    def variant_count(self, obj):
        return obj.variants_stored

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "course" not in initial:
            first = selectors.taught_courses(request.user).order_by("id").first()
            if first is not None:
                initial["course"] = first.pk
        return initial

    # -- saving goes through services ---------------------------------------------------
    def save_model(self, request, obj, form, change):
        if not change and obj.author_id is None:
            obj.author = request.user
        obj._history_user = request.user  # the author of this revision
        if change and {"program", "mermaid"} & set(form.changed_data) and \
                obj.variants.exists():
            self.message_user(request, format_html(
                '{} <a href="{}">{}</a>',
                _("Learners keep the numbers and gradients of the variants already stored; "
                  "new variants use the new program."),
                reverse("admin:exercises_exercise_resolve", args=[obj.pk]),
                _("See what changes, then re-solve and regrade, or reset attempts.")),
                messages.WARNING)
        elif change and set(KIND_SETTINGS) & set(form.changed_data) and \
                obj.variants.exists():
            self.message_user(request, _("Learners keep the update or nudge already frozen "
                                         "with the variants stored; new variants use the new "
                                         "settings."), messages.WARNING)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.get_or_create_variant(form.instance, 0)  # solved once, then frozen
        feedback.forget_rules(form.instance)
        failed = [r for r in feedback.run_question_tests(form.instance) if not r.passed]
        if failed:
            self.message_user(request, _("%(count)s question test(s) failed: %(tests)s") % {
                "count": len(failed), "tests": "; ".join(
                    f"{r.test.name} ({', '.join(r.problems)})" for r in failed)},
                messages.WARNING)

    # -- the change page: preview, table, Mermaid, sample variants -----------------------
    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        context.update(self.preview_context(request, context, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def preview_context(self, request, context, obj) -> dict:
        adminform = context.get("adminform")
        extra = {"preview_url": reverse("admin:exercises_exercise_preview"),
                 "graph_partial": preview.graph_partial(),
                 "error_line": getattr(adminform.form, "error_line", None) if adminform
                 else None}
        if obj is not None and obj.pk:
            extra.update(
                preview=preview.preview_or_error(obj.source, obj.granularity),
                variants=preview.sample_variants(obj),
                stored_variants=obj.variants.count(),
                learner_preview_url=learner_preview_url(obj.pk),
                **own_feedback.panel(obj))
        return extra

    # -- extra pages ---------------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("preview/", wrap(self.preview_view), name="exercises_exercise_preview"),
            path("generate/", wrap(self.generate_view), name="exercises_exercise_generate"),
            path("<int:exercise_id>/revisions/", wrap(self.revisions_view),
                 name="exercises_exercise_revisions"),
            path("<int:exercise_id>/fix/", wrap(self.resolve_view),
                 name="exercises_exercise_resolve"),
        ] + super().get_urls()

    def revisions_view(self, request, exercise_id):
        return resolve_pages.history_view(self, request, exercise_id)

    def resolve_view(self, request, exercise_id):
        return resolve_pages.resolve_view(self, request, exercise_id)

    def preview_view(self, request):
        """Live preview for the editor: POST program (or mermaid) text, get JSON back."""
        return _preview_view(self, request)

    def generate_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        courses = selectors.taught_courses(request.user)
        form = GenerateForm(request.POST or None, courses=courses)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                programs = generate_many(data["difficulty"], data["count"], data["seed"])
            except (ValueError, RuntimeError) as exc:
                form.add_error(None, _("Could not generate the programs: %(problem)s")
                               % {"problem": exc})
            else:
                created = services.create_generated_exercises(
                    programs, data["difficulty"], data["tag"] or None, course=data["course"],
                    author=request.user)
                self.message_user(request, ngettext(
                    "Generated %(count)d exercise at difficulty %(difficulty)d.",
                    "Generated %(count)d exercises at difficulty %(difficulty)d.",
                    len(created)) % {"count": len(created), "difficulty": data["difficulty"]},
                    messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:exercises_exercise_changelist"))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("Generate exercises"), "form": form}
        return TemplateResponse(request, "admin/exercises/exercise/generate.html", context)

    # -- actions ---------------------------------------------------------------------------
    @admin.action(description=gettext_lazy("Duplicate the selected exercises"),
                  permissions=["add"])
    def duplicate(self, request, queryset):
        copies = [services.duplicate_exercise(exercise, author=request.user)
                  for exercise in queryset]
        self.message_user(request, ngettext(
            "Made %(count)d copy: %(titles)s.", "Made %(count)d copies: %(titles)s.",
            len(copies)) % {"count": len(copies), "titles": ", ".join(c.title for c in copies)},
            messages.SUCCESS)

    @admin.action(description=gettext_lazy("Preview the selected exercise as a learner"),
                  permissions=["view"])
    def preview_as_learner(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one exercise to preview."),
                              messages.WARNING)
            return None
        url = learner_preview_url(queryset.get().pk)
        if url is None:
            self.message_user(request, _("The learner preview page is not available."),
                              messages.ERROR)
            return None
        return HttpResponseRedirect(url)

    @admin.action(description=gettext_lazy("Regrade submissions of the selected exercises"),
                  permissions=["change"])
    def regrade(self, request, queryset):
        """A confirmation page saying what will be regraded, per exercise and course: only
        what the user may regrade (selectors.regradable_attempts), which for a shared
        exercise leaves other courses' attempts alone."""
        form = RegradeForm(request.POST if "apply" in request.POST else None)
        scopes = [selectors.regrade_scope(exercise, request.user) for exercise in queryset]
        nothing = _nothing_to_regrade(scopes)
        if form.is_bound and form.is_valid():
            if nothing:
                self.message_user(request, nothing, messages.WARNING)
                return None  # the admin redirects back to the changelist
            return self._start_regrade(request, queryset, form.cleaned_data["reason"])
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("Regrade submissions"), "form": form, "scopes": scopes,
                   "nothing": nothing,
                   "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
        return TemplateResponse(request, "admin/exercises/exercise/regrade.html", context)

    def _start_regrade(self, request, queryset, reason):
        """One Celery task per exercise. With no broker the tasks ran in this request, so
        the results are shown; with a broker a worker runs them and the admin returns."""
        task = tasks.regrade_exercise
        exercise_ids = list(queryset.values_list("pk", flat=True))
        results = []
        try:
            for pk in exercise_ids:
                results.append(task.delay(pk, request.user.pk, reason))
        except kombu.exceptions.OperationalError:  # the broker (Redis) is down
            log.warning("regrade not queued: the job queue is unreachable", exc_info=True)
            self.message_user(request, _(
                "The job queue is unreachable, try again in a moment (%(queued)s of "
                "%(total)s exercise(s) queued).") % {"queued": len(results),
                                                     "total": len(exercise_ids)},
                messages.ERROR)
            return None
        if task.app.conf.task_always_eager:
            return self._regrade_done(
                request, [pk for result in results for pk in result.get()["regrade_ids"]])
        self.message_user(request, format_html(
            _('Regrading {count} exercise(s) in the background; results appear under '
              '<a href="{url}">Regrades</a>.'), count=len(exercise_ids),
            url=reverse("admin:exercises_regrade_changelist")), messages.INFO)
        return None  # the admin redirects back to the changelist

    def _regrade_done(self, request, regrade_ids):
        rows = list(Regrade.objects.filter(pk__in=regrade_ids).select_related(
            "submission__attempt__learner", "submission__attempt__exercise"))
        changed = [r for r in rows if abs(r.new_score - r.old_score) > 1e-9]
        self.message_user(request, _("Regraded %(count)s submission(s): %(changed)s score(s) "
                                     "changed.") % {"count": len(rows), "changed": len(changed)},
                          messages.SUCCESS)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("Regrade results"), "rows": rows, "changed": changed}
        return TemplateResponse(request, "admin/exercises/exercise/regrade_done.html", context)


def _nothing_to_regrade(scopes: list[dict]) -> str:
    """Why regrading these exercises would do nothing ("" if it would regrade some)."""
    if any(scope["submissions"] for scope in scopes):
        return ""
    if any(scope["others"] for scope in scopes):
        return _("Nothing to regrade for you: the selected exercises have no graded "
                 "submissions in the courses you teach. Attempts in other courses are "
                 "left to their instructors.")
    return _("Nothing to regrade: the selected exercises have no graded submissions yet.")


def _preview_view(model_admin: ExerciseAdmin, request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not (model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)):
        raise PermissionDenied
    program = request.POST.get("program", "")
    mermaid = request.POST.get("mermaid", "")
    field = "program" if program.strip() else "mermaid"
    source = program if field == "program" else mermaid
    if not source.strip():
        return JsonResponse({"error": _("Write a program or a Mermaid flowchart."), "line": None,
                             "field": "program"}, status=400)
    granularity = request.POST.get("granularity", Granularity.LINE)
    if granularity not in Granularity.values:
        granularity = Granularity.LINE
    result = preview.preview_or_error(source, granularity)
    if "error" in result:
        return JsonResponse({**result, "field": field}, status=400)
    graph_html = preview.render_graph(result["graph"])
    variants_html = preview.render_variants(preview.sample_variants_of(source, granularity))
    return JsonResponse({"graph": result["graph"], "table_html": result["table_html"],
                         "mermaid": result["mermaid"], "graph_html": graph_html,
                         "variants_html": variants_html, "field": field})
