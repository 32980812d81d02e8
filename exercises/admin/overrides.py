"""Setting a learner's quiz score by hand, from the gradebook (exercises.overrides does it;
this page only asks for the score, the reason and, when it lowers the score, a yes)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from .. import overrides, selectors, services
from ..accommodations import Actor
from ..models import Attempt
from .gradebook import number, scoped_quiz


class QuizOverrideForm(forms.Form):
    score = forms.FloatField(min_value=0, max_value=1,
                             help_text="The learner's score for the whole quiz, 0 to 1.")
    reason = forms.CharField(max_length=overrides.MAX_REASON,
                             widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(required=False, label="Yes, lower the score",
                                 help_text="Needed when the override lowers the score.")


def quiz_override_view(model_admin, request, quiz_id: int, learner_id: int):
    quiz = scoped_quiz(model_admin, request, quiz_id)
    learner = quiz.course.learners.filter(pk=learner_id).first()
    if learner is None or not overrides.may_override_quiz(request.user, quiz):
        raise Http404("No such learner in this quiz's course.")
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
                message = (f"This lowers the score from {number(error.details['current_score'])}"
                           f" to {number(data['score'])}: tick “Yes, lower the score” to "
                           "lower it.")
            form.add_error(error.details.get("field") if error.status == 400 else None,
                           message)
        else:
            messages.success(request, f"{learner.get_username()}'s score in {quiz} is now "
                                      f"{number(data['score'])}.")
            return HttpResponseRedirect(reverse("admin:exercises_quiz_gradebook",
                                                args=[quiz.pk]))
    attempts = list(Attempt.objects.filter(learner=learner, item__quiz=quiz))
    current = selectors.quiz_overrides(quiz, [learner.pk]).get(learner.pk)
    context = {
        **model_admin.admin_site.each_context(request), "opts": quiz._meta,
        "title": f"Quiz score of {learner.get_username()}: {quiz}", "quiz": quiz,
        "learner": learner, "form": form, "override": current,
        "computed": number(overrides.computed_quiz_score(quiz, attempts)) if attempts
        else None,
        "history": overrides.quiz_history(quiz, learner)}
    return TemplateResponse(request, "admin/exercises/quiz/override.html", context)
