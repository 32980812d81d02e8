"""The exercise page's own feedback: its buggy rules and question tests, as inlines, and the
panel that previews what each rule catches and shows the question tests red or green.

Thin: the checks and runs are `exercises.feedback`'s; this module only puts their answers
on the page (a refused rule's reason on its row).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import feedback
from ..grading import AuthoredRule, RuleError
from ..models import FeedbackRule, QuestionTest


class FeedbackRuleFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms) or not self.instance.pk:
            return
        kept = [form for form in self.forms if form.cleaned_data
                and not form.cleaned_data.get("DELETE")]
        rules, rows = [], []
        for form in kept:
            data = form.cleaned_data
            try:
                rules.append(AuthoredRule.from_dict(data))
                rows.append(form)
            except RuleError as exc:
                form.add_error("expression", str(exc))
        if rules and not any(form.errors for form in self.forms):
            for form, problem in zip(rows, feedback.check_rules(self.instance, rules),
                                     strict=True):
                if problem:
                    form.add_error("expression", _("Refused: %(problem)s.") % {"problem": problem})


class FeedbackRuleInline(admin.TabularInline):
    model = FeedbackRule
    formset = FeedbackRuleFormSet
    extra = 0
    fields = ("node", "expression", "code", "message")
    verbose_name = gettext_lazy("own feedback rule")
    verbose_name_plural = gettext_lazy("Own feedback rules (a learner who types this "
                                       "expression for the node made this mistake)")


class QuestionTestInline(admin.StackedInline):
    model = QuestionTest
    extra = 0
    fields = ("name", "seed", "answers", "expected_score", "expected")
    verbose_name_plural = gettext_lazy("Question tests (run on every save: results below)")


def panel(exercise) -> dict:
    """What the change page shows below the inlines."""
    if exercise is None or not exercise.pk:
        return {}
    try:
        previews = feedback.rule_previews(exercise)
        results = feedback.run_question_tests(exercise)
    except Exception as exc:  # a program that no longer solves: say so, never a 500
        return {"own_feedback_error": str(exc)}
    return {"rule_previews": previews, "question_results": results,
            "question_failed": sum(not r.passed for r in results)}
