"""Setting a learner's quiz score by hand, and removing an override (an item's or the
quiz's), from the gradebook. exercises.overrides does it; these pages only ask for the
score, the reason and, when it lowers the score, a yes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import overrides, selectors, services
from ..accommodations import Actor
from ..models import Attempt
from .gradebook import number, scoped_quiz


class QuizOverrideForm(forms.Form):
    score = forms.FloatField(min_value=0, max_value=1, label=gettext_lazy("Score"),
                             help_text=gettext_lazy("The learner's score for the whole quiz, "
                                                    "0 to 1."))
    reason = forms.CharField(max_length=overrides.MAX_REASON, label=gettext_lazy("Reason"),
                             widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(required=False, label=gettext_lazy("Yes, lower the score"),
                                 help_text=gettext_lazy("Needed when the override lowers the "
                                                        "score."))


class RemovalForm(forms.Form):
    reason = forms.CharField(max_length=overrides.MAX_REASON, required=False,
                             label=gettext_lazy("Reason"),
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=gettext_lazy("Why (optional; kept with the removal)."))


def gradebook_url(quiz) -> str:
    return reverse("admin:exercises_quiz_gradebook", args=[quiz.pk])


def quiz_and_learner(model_admin, request, quiz_id: int, learner_id: int):
    quiz = scoped_quiz(model_admin, request, quiz_id)
    learner = quiz.course.learners.filter(pk=learner_id).first()
    if learner is None or not overrides.may_override_quiz(request.user, quiz):
        raise Http404("No such learner in this quiz's course.")
    return quiz, learner


def quiz_override_remove_view(model_admin, request, quiz_id: int, learner_id: int):
    """POST from the quiz override page: remove the quiz override in force."""
    quiz, learner = quiz_and_learner(model_admin, request, quiz_id, learner_id)
    page = reverse("admin:exercises_quiz_override", args=[quiz.pk, learner.pk])
    form = RemovalForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return HttpResponseRedirect(page)
    try:
        removal = overrides.remove_quiz_override(
            quiz, learner, reason=form.cleaned_data["reason"], actor=Actor.of(request.user))
    except services.ServiceError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(page)
    messages.success(request, _("%(learner)s's quiz override in %(quiz)s is removed: their "
                                "score is %(score)s again.")
                     % {"learner": learner.get_username(), "quiz": quiz,
                        "score": number(removal.score)})
    return HttpResponseRedirect(gradebook_url(quiz))


def item_override_view(model_admin, request, quiz_id: int, attempt_id: int):
    """An item's override in force, its history, and removing it (POST)."""
    quiz = scoped_quiz(model_admin, request, quiz_id)
    attempt = Attempt.objects.filter(pk=attempt_id, item__quiz=quiz).select_related(
        "learner", "item__quiz__course", "item__exercise", "item__pool_tag").first()
    if attempt is None or not overrides.may_override(request.user, attempt):
        raise Http404("No such attempt in this quiz.")
    form = RemovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            removal = overrides.remove_override(attempt, reason=form.cleaned_data["reason"],
                                                actor=Actor.of(request.user))
        except services.ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The override of %(learner)s's score on %(item)s is "
                                        "removed: their best score %(score)s counts again.")
                             % {"learner": attempt.learner.get_username(),
                                "item": attempt.item, "score": number(removal.score)})
            return HttpResponseRedirect(gradebook_url(quiz))
    context = {
        **model_admin.admin_site.each_context(request), "opts": quiz._meta,
        "title": _("Score of %(learner)s on %(item)s")
        % {"learner": attempt.learner.get_username(), "item": attempt.item},
        "quiz": quiz, "attempt": attempt, "form": form,
        "override": overrides.latest(attempt), "best": number(attempt.best_score),
        "history": overrides.history(attempt)}
    return TemplateResponse(request, "admin/exercises/quiz/item_override.html", context)


def quiz_override_view(model_admin, request, quiz_id: int, learner_id: int):
    quiz, learner = quiz_and_learner(model_admin, request, quiz_id, learner_id)
    form = QuizOverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            overrides.override_quiz_score(quiz, learner, score=data["score"],
                                          reason=data["reason"], confirm=data["confirm"],
                                          actor=Actor.of(request.user))
        except services.ServiceError as error:
            message = error.message
            if "current_score" in error.details:  # the API's words ask for "confirm": true
                message = _("This lowers the score from %(current)s to %(score)s: tick "
                            "“Yes, lower the score” to lower it.") % {
                    "current": number(error.details["current_score"]),
                    "score": number(data["score"])}
            form.add_error(error.details.get("field") if error.status == 400 else None,
                           message)
        else:
            messages.success(request, _("%(learner)s's score in %(quiz)s is now %(score)s.")
                             % {"learner": learner.get_username(), "quiz": quiz,
                                "score": number(data["score"])})
            return HttpResponseRedirect(gradebook_url(quiz))
    attempts = list(Attempt.objects.filter(learner=learner, item__quiz=quiz))
    current = selectors.quiz_overrides(quiz, [learner.pk]).get(learner.pk)
    context = {
        **model_admin.admin_site.each_context(request), "opts": quiz._meta,
        "title": _("Quiz score of %(learner)s: %(quiz)s")
        % {"learner": learner.get_username(), "quiz": quiz}, "quiz": quiz,
        "learner": learner, "form": form, "override": current,
        "removal_form": RemovalForm() if current else None,
        "computed": number(overrides.computed_quiz_score(quiz, attempts)) if attempts
        else None,
        "history": overrides.quiz_history(quiz, learner)}
    return TemplateResponse(request, "admin/exercises/quiz/override.html", context)
