"""Fixing a broken exercise in the admin: its program's revision history, what a re-solve
would change, and the two ways on ("re-solve and regrade", "reset attempts"). The work
is exercises.resolve's; these pages show it and ask for confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import resolve, revisions, services
from ..models import Exercise


def _exercise(model_admin, request, exercise_id: int) -> Exercise:
    exercise = model_admin.get_queryset(request).filter(pk=exercise_id).first()
    if exercise is None:
        raise Http404("No such exercise among the ones you manage.")
    return exercise


def history_view(model_admin, request, exercise_id: int):
    exercise = _exercise(model_admin, request, exercise_id)
    context = {**model_admin.admin_site.each_context(request), "opts": Exercise._meta,
               "title": _("Revisions: %(exercise)s") % {"exercise": exercise}, "exercise": exercise,
               "history": list(reversed(revisions.program_history(exercise)))}
    return TemplateResponse(request, "admin/exercises/exercise/revisions.html", context)


def resolve_view(model_admin, request, exercise_id: int):
    exercise = _exercise(model_admin, request, exercise_id)
    if not model_admin.has_change_permission(request, exercise):
        raise PermissionDenied
    change_url = reverse("admin:exercises_exercise_change", args=[exercise.pk])
    try:
        plan = resolve.proposed_changes(exercise)
    except services.InvalidProgram as exc:
        messages.error(request, _("The program cannot be solved: %(problem)s")
                       % {"problem": exc.message})
        return HttpResponseRedirect(change_url)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "resolve":
            done = resolve.resolve_and_regrade(exercise, by=request.user,
                                               reason=request.POST.get("reason", "")[:200])
            changed = sum(1 for r in done["regrades"] if r.old_score != r.new_score)
            messages.success(request, _("Re-solved %(variants)s variants and regraded "
                                        "%(submissions)s submissions (%(changed)s scores "
                                        "changed).") % {"variants": len(done["variants"]),
                                                        "submissions": len(done["regrades"]),
                                                        "changed": changed})
        elif action == "reset":
            done = resolve.reset_attempts(exercise, by=request.user)
            messages.success(request, _("Re-solved %(variants)s variants; %(attempts)s "
                                        "attempts start afresh.")
                             % {"variants": len(done["variants"]), "attempts": done["attempts"]})
        else:
            raise Http404("Unknown action.")
        return HttpResponseRedirect(change_url)
    context = {**model_admin.admin_site.each_context(request), "opts": Exercise._meta,
               "title": _("Fix: %(exercise)s") % {"exercise": exercise}, "exercise": exercise,
               "plan": plan}
    return TemplateResponse(request, "admin/exercises/exercise/resolve.html", context)
