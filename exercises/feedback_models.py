"""An exercise's own feedback: its buggy rules (STACK's, checked) and its question tests.

Models only; what they mean and how they are checked and run is `exercises.feedback`.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

CODE_NAME = RegexValidator(r"^[a-z][a-z0-9_]{0,39}$", "lower-case letters, digits and _, "
                                                      "starting with a letter")


class FeedbackRule(models.Model):
    """'A learner who types `expression` for `node` made this mistake': the expression is
    of the node's neighbours' values (grading/authored.py), e.g. upstream * data(z)."""

    exercise = models.ForeignKey("exercises.Exercise", verbose_name=_("exercise"),
                                 on_delete=models.CASCADE,
                                 related_name="feedback_rules")
    node = models.CharField(
        _("node"), max_length=100, help_text=_("The node (a name in the program)."))
    expression = models.CharField(
        _("expression"), max_length=200,
        help_text=_("What such a learner types for the node, from upstream, "
                    "local, data(n), grad(n), eta and numbers: e.g. "
                    "upstream * data(z)."))
    code = models.CharField(_("code"), max_length=40, validators=[CODE_NAME],
                            help_text=_("A short name for the mistake (the gradebook counts it)."))
    message = models.TextField(_("message"), help_text=_("What the learner is told."))

    class Meta:
        verbose_name = _("feedback rule")
        verbose_name_plural = _("feedback rules")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["exercise", "node", "code"],
                                               name="one_rule_per_node_and_code")]

    def __str__(self):
        return f"{self.code} at {self.node}"


class QuestionTest(models.Model):
    """STACK's question test: answers to one variant, with the score and the code per node
    they must get. A failing test says which exercise's feedback moved."""

    exercise = models.ForeignKey("exercises.Exercise", verbose_name=_("exercise"),
                                 on_delete=models.CASCADE,
                                 related_name="question_tests")
    name = models.CharField(_("name"), max_length=100)
    seed = models.BigIntegerField(
        _("seed"), default=0, help_text=_("The variant (0: the example one)."))
    answers = models.JSONField(_("answers"), help_text=_('The answers as typed: {"x": "15", ...}.'))
    expected_score = models.FloatField(_("expected score"), null=True, blank=True,
                                       help_text=_("Empty: the score is not checked."))
    expected = models.JSONField(
        _("expected"), default=dict, blank=True,
        help_text=_('Per node: "correct", a misconception code, an own rule\'s code, or "none" '
                    '(wrong with no code): {"x": "missing_branch", "L": "correct"}.'))

    class Meta:
        verbose_name = _("question test")
        verbose_name_plural = _("question tests")
        ordering = ["id"]

    def __str__(self):
        return self.name
