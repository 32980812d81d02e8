"""Records of running a course: learners' accommodations (with their audit trail) and
manual score overrides. Data and constraints only: the rules that read them are in
`exercises.accommodations` and `exercises.overrides`, which are also the only writers.
(Imported by models.py, so Django sees them as the exercises app's models.)"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL

MAX_TIME_MULTIPLIER = 10.0
MAX_EXTRA_ATTEMPTS = 1000


class Accommodation(models.Model):
    """A learner's accommodation in one quiz, or (quiz empty) in every quiz of a course.
    Empty fields change nothing; where both exist, the quiz's own field wins."""

    course = models.ForeignKey("exercises.Course", verbose_name=_("course"),
                               on_delete=models.CASCADE,
                               related_name="accommodations")
    quiz = models.ForeignKey("exercises.Quiz", verbose_name=_("quiz"),
                             on_delete=models.CASCADE, null=True,
                             blank=True, related_name="accommodations",
                             help_text=_("Empty: every quiz of the course."))
    learner = models.ForeignKey(User, verbose_name=_("learner"), on_delete=models.CASCADE,
                                related_name="accommodations")
    time_multiplier = models.FloatField(
        _("time multiplier"), null=True, blank=True,
        validators=[MinValueValidator(1.0), MaxValueValidator(MAX_TIME_MULTIPLIER)],
        help_text=_("Time limits (per item and quiz-wide) are multiplied by this, e.g. 1.5."))
    extra_attempts = models.PositiveIntegerField(
        _("extra attempts"),
        null=True, blank=True, validators=[MaxValueValidator(MAX_EXTRA_ATTEMPTS)],
        help_text=_("Graded submissions allowed per item on top of the quiz's."))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True,
                                  help_text=_("This learner's own due date."))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("created by"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    by_label = models.CharField(_("by label"), max_length=150, blank=True,
                                help_text=_("Who set it last (a username or an LMS key's name)."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("accommodation")
        verbose_name_plural = _("accommodations")
        ordering = ["course_id", "quiz_id", "learner_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "quiz"], name="one_accommodation_per_quiz",
                                    condition=models.Q(quiz__isnull=False)),
            models.UniqueConstraint(fields=["learner", "course"],
                                    name="one_accommodation_per_course",
                                    condition=models.Q(quiz__isnull=True)),
        ]

    def __str__(self):
        where = self.quiz or f"every quiz of {self.course}"
        return f"{self.learner} in {where}"


class AccommodationLog(models.Model):
    """The audit trail: every set, change and removal, who did it, why, and the values."""

    class Action(models.TextChoices):
        SET = "set", _("set")
        CHANGED = "changed", _("changed")
        REMOVED = "removed", _("removed")

    # The accommodation's id, kept after it is removed (so not a foreign key).
    accommodation_ref = models.PositiveBigIntegerField(_("accommodation ref"), null=True,
                                                       blank=True)
    course = models.ForeignKey("exercises.Course", verbose_name=_("course"),
                               on_delete=models.CASCADE, related_name="+")
    quiz = models.ForeignKey("exercises.Quiz", verbose_name=_("quiz"),
                             on_delete=models.CASCADE, null=True,
                             blank=True, related_name="+")
    learner = models.ForeignKey(User, verbose_name=_("learner"),
                                on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    values = models.JSONField(
        _("values"), help_text=_("time_multiplier, extra_attempts, due_at after it."))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    by = models.ForeignKey(User, verbose_name=_("by"),
                           on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+")
    by_label = models.CharField(_("by label"), max_length=150, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("accommodation log")
        verbose_name_plural = _("accommodation logs")
        ordering = ["-at", "-id"]


class OverrideAction(models.TextChoices):
    """What an override record did: set a score, or remove the one in force (the computed
    score counts again). Either way the record says what counted before and after."""

    SET = "set", _("set")
    REMOVED = "removed", _("removed")


class ScoreOverride(models.Model):
    """An instructor's score for an attempt, with why. The submissions and their scores
    stay as they were; the latest override counts (Attempt.override_score). A removal is
    a record too (action "removed": score is the computed score that counts again)."""

    attempt = models.ForeignKey("exercises.Attempt", verbose_name=_("attempt"),
                                on_delete=models.CASCADE,
                                related_name="overrides")
    action = models.CharField(_("action"), max_length=8, choices=OverrideAction.choices,
                              default=OverrideAction.SET)
    score = models.FloatField(_("score"),
                              validators=[MinValueValidator(0), MaxValueValidator(1)],
                              help_text=_("What counts after this record."))
    previous_score = models.FloatField(
        _("previous score"), help_text=_("What counted before this override."))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("created by"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    by_label = models.CharField(_("by label"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("score override")
        verbose_name_plural = _("score overrides")
        ordering = ["created_at", "id"]


class QuizOverride(models.Model):
    """An instructor's score for a learner's whole quiz (0..1), with why. The items' scores
    stay as they were; the override in force (`latest`, one per learner and quiz at most)
    is the learner's quiz score in the gradebook, the grades API and the LMS. A removal is
    a record too (action "removed", never `latest`: score is the computed quiz score that
    counts again)."""

    quiz = models.ForeignKey("exercises.Quiz", verbose_name=_("quiz"), on_delete=models.CASCADE,
                             related_name="score_overrides")
    learner = models.ForeignKey(User, verbose_name=_("learner"),
                                on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("action"), max_length=8, choices=OverrideAction.choices,
                              default=OverrideAction.SET)
    score = models.FloatField(_("score"),
                              validators=[MinValueValidator(0), MaxValueValidator(1)],
                              help_text=_("The quiz score after this record."))
    previous_score = models.FloatField(
        _("previous score"), help_text=_("The quiz score before this override."))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    latest = models.BooleanField(_("latest"), default=False)
    created_by = models.ForeignKey(User, verbose_name=_("created by"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    by_label = models.CharField(_("by label"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("quiz override")
        verbose_name_plural = _("quiz overrides")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["quiz", "learner"],
                                               condition=models.Q(latest=True),
                                               name="one_latest_quiz_override")]

    def __str__(self):
        return f"{self.learner} in {self.quiz}: {self.score:g}"
