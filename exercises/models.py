"""The quiz bank's domain. Writes go through `services`, permission-aware reads through
`selectors`; models hold data, constraints and small derived properties only."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.crypto import KeyGenerator
from simple_history.models import HistoricalRecords

User = settings.AUTH_USER_MODEL


class PolicyQuerySet(models.QuerySet):
    """Bulk updates bypass post_save, so they bump the policy epoch themselves: anything
    the disclosure rule reads (quizzes, items, exercises) is decided again after any kind
    of change (exercises/policy_changes.py has the signals for the rest)."""

    def update(self, **kwargs):
        changed = super().update(**kwargs)
        if changed:
            from .disclosure import bump_epoch

            bump_epoch()
        return changed


class Course(models.Model):
    title = models.CharField(_("title"), max_length=200)
    instructors = models.ManyToManyField(User, verbose_name=_("instructors"),
                                         related_name="teaching_courses", blank=True)
    learners = models.ManyToManyField(User, verbose_name=_("learners"),
                                      related_name="enrolled_courses", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title", "id"]

    def __str__(self):
        return self.title


class Tag(models.Model):
    name = models.SlugField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Ask(models.TextChoices):
    """The exercise kinds (grading.kinds has one entry for each; both is graded as grad)."""

    GRAD = "grad", _("gradients (backward pass)")
    DATA = "data", _("values (forward pass)")
    BOTH = "both", _("values and gradients")
    LOCAL = "local", _("local derivatives (one on each edge)")
    UPDATE = "update", _("a gradient-descent update (w − η·∂L/∂w)")
    NUDGE = "nudge", _("a nudge: L(x + h) and its slope")


class Granularity(models.TextChoices):
    LINE = "line", _("one node per program line")
    GATE = "gate", _("one node per binary gate")


class Exercise(models.Model):
    objects = PolicyQuerySet.as_manager()

    course = models.ForeignKey(Course, verbose_name=_("course"),
                               on_delete=models.CASCADE, related_name="exercises",
                               null=True, blank=True,
                               help_text=_("Empty: a shared exercise only staff can see."))
    title = models.CharField(_("title"), max_length=200)
    program = models.TextField(
        _("program"), blank=True,
        help_text=_("The authoring language (like the notes' listings), or a "
                    "Mermaid flowchart. Leave empty to use the Mermaid source below."))
    mermaid = models.TextField(_("mermaid"), blank=True, help_text=_("Optional Mermaid flowchart."))
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="exercises")
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)])
    ask = models.CharField(_("ask"), max_length=6, choices=Ask.choices, default=Ask.GRAD)
    # Exercises made before line granularity existed keep the gate graphs their variants
    # froze (the migration gives them "gate"); new ones are drawn as the notes draw them.
    granularity = models.CharField(
        _("granularity"), max_length=4, choices=Granularity.choices, default=Granularity.LINE,
        help_text=_("Each program line one node (as the notes draw it), or each binary gate."))
    tolerance_rel = models.FloatField(
        _("tolerance rel"), default=1e-2, validators=[MinValueValidator(0)])
    tolerance_abs = models.FloatField(
        _("tolerance abs"), default=1e-6, validators=[MinValueValidator(0)])
    tolerance_sig_figs = models.PositiveSmallIntegerField(
        _("tolerance sig figs"),
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(15)],
        help_text=_("If set, answers must match to this many significant figures instead."))
    asked_nodes = models.JSONField(
        _("asked nodes"), default=list, blank=True,
        help_text=_("What learners are asked about: node names (edges like z2/a1 for local "
                    "derivatives); empty means the kind's default (every input and op node)."))
    learning_rate = models.FloatField(
        _("learning rate"), null=True, blank=True, validators=[MinValueValidator(0)],
        help_text=_("Update exercises: the learning rate η."))
    parameters = models.JSONField(
        _("parameters"), default=list, blank=True,
        help_text=_("Update exercises: the inputs updated; empty means every input."))
    nudge_input = models.CharField(_("nudge input"), max_length=100, blank=True,
                                   help_text=_("Nudge exercises: the input x that is nudged."))
    nudge_h = models.FloatField(_("nudge h"), null=True, blank=True,
                                help_text=_("Nudge exercises: the step h (empty: 0.001)."))
    author = models.ForeignKey(User, verbose_name=_("author"),
                               on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="authored_exercises")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Every saved version, with who and when (django-simple-history); exercises.revisions
    # reads it as the program's revision history.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        ordering = ["difficulty", "title", "id"]

    def __str__(self):
        return self.title

    @property
    def source(self) -> str:
        return self.program if self.program.strip() else self.mermaid


class Variant(models.Model):
    """One exercise's numbers for one seed, with the engine's solution frozen at creation.

    `perturbed`: the seed also jittered the program's literal inputs (a quiz item that asks
    for fresh numbers on an exercise without randint/choice)."""

    exercise = models.ForeignKey(Exercise, verbose_name=_("exercise"),
                                 on_delete=models.CASCADE, related_name="variants")
    seed = models.BigIntegerField(_("seed"))
    perturbed = models.BooleanField(_("perturbed"), default=False)
    graph = models.JSONField(
        _("graph"), help_text=_("Graph.to_solution(): nodes, data, grads, locals."))
    # When the solution was frozen: at creation, and again when an instructor re-solves the
    # variant after fixing the program (exercises.resolve). Graders cache solutions by
    # (id, created_at), so a re-solved variant is read afresh by every process.
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revision = models.ForeignKey(
        "exercises.HistoricalExercise", verbose_name=_("revision"), on_delete=models.SET_NULL,
        null=True, blank=True,
        related_name="+", db_constraint=False,
        help_text=_("The version of the exercise's program the solution was made from."))

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        constraints = [models.UniqueConstraint(fields=["exercise", "seed", "perturbed"],
                                               name="one_variant_per_seed")]

    def __str__(self):
        return f"{self.exercise} (seed {self.seed})"


class Reveal(models.TextChoices):
    IMMEDIATELY = "immediately", _("immediately")
    # Solutions only: the learner has no graded attempt left, has solved it, or the due
    # date has passed (PrairieLearn's and Moodle's usual setting).
    AFTER_ATTEMPTS = "after_attempts", _("after the last attempt, once solved, or after the "
                                         "due date")
    AFTER_DUE = "after_due", _("after the due date")
    NEVER = "never", _("never")


CORRECTNESS_REVEALS = [(value, label) for value, label in Reveal.choices
                       if value != Reveal.AFTER_ATTEMPTS]


class Quiz(models.Model):
    objects = PolicyQuerySet.as_manager()

    course = models.ForeignKey(Course, verbose_name=_("course"),
                               on_delete=models.CASCADE, related_name="quizzes")
    title = models.CharField(_("title"), max_length=200)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit minutes"), null=True, blank=True,
        help_text=_("Per item: each item's clock starts when it is opened."))
    quiz_time_limit_minutes = models.PositiveIntegerField(
        _("quiz time limit minutes"), null=True, blank=True,
        help_text=_("The whole quiz: one clock, started when the learner opens their first item."))
    attempts_allowed = models.PositiveIntegerField(
        _("attempts allowed"), null=True, blank=True,
        help_text=_("Graded submissions per item; empty = unlimited."))
    retry_penalty = models.FloatField(
        _("retry penalty"), default=0, validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Fraction of the item taken off for each earlier graded submission."))
    hint_level = models.PositiveSmallIntegerField(
        _("hint level"), default=2, validators=[MaxValueValidator(3)],
        help_text=_("0 none, 1 nudge, 2 formula, 3 worked numbers."))
    follow_through_credit = models.FloatField(
        _("follow through credit"),
        default=0.5, validators=[MinValueValidator(0), MaxValueValidator(1)])
    show_correctness = models.CharField(
        _("show correctness"),
        max_length=14, choices=CORRECTNESS_REVEALS, default=Reveal.IMMEDIATELY,
        help_text=_("When a learner sees which answers are right and their score."))
    show_solution = models.CharField(
        _("show solution"), max_length=14, choices=Reveal.choices, default=Reveal.AFTER_ATTEMPTS,
        help_text=_("Immediately: as soon as a learner has made one graded submission — with "
                    "attempts left, they can read the solution and then score full marks on "
                    "the next try. After the last attempt: once they have no graded attempt "
                    "left or have solved it (or the quiz is past due)."))
    step_through = models.BooleanField(_("step through"), default=True,
                                       help_text=_("Allow node-by-node practice mode."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["course", "due_at", "title", "id"]

    def __str__(self):
        return self.title

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at is None or self.opens_at <= now

    def is_past_due(self, now=None) -> bool:
        now = now or timezone.now()
        return self.due_at is not None and now >= self.due_at

    def reveals(self, setting: str, now=None) -> bool:
        if setting == Reveal.IMMEDIATELY:
            return True
        if setting == Reveal.AFTER_DUE:
            return self.is_past_due(now)
        return False


class QuizItem(models.Model):
    """A fixed exercise, or a pool: one exercise with a tag and difficulty, drawn per learner."""

    objects = PolicyQuerySet.as_manager()

    quiz = models.ForeignKey(Quiz, verbose_name=_("quiz"),
                             on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("position"), default=0)
    exercise = models.ForeignKey(Exercise, verbose_name=_("exercise"),
                                 on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="quiz_items")
    pool_tag = models.ForeignKey(Tag, verbose_name=_("pool tag"),
                                 on_delete=models.PROTECT, null=True, blank=True)
    pool_difficulty = models.PositiveSmallIntegerField(
        _("pool difficulty"),
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)])
    points = models.FloatField(_("points"), default=1, validators=[MinValueValidator(0)])
    perturb = models.BooleanField(
        default=False, verbose_name=_("perturb inputs"),
        help_text=_("Fresh numbers for this quiz: each learner's inputs are jittered from the "
                    "program's (for an exercise without randint/choice that another quiz or "
                    "practice also uses)."))

    class Meta:
        verbose_name = _("quiz item")
        verbose_name_plural = _("quiz items")
        ordering = ["quiz", "position", "id"]
        constraints = [models.CheckConstraint(
            condition=(models.Q(exercise__isnull=False, pool_tag__isnull=True)
                       | models.Q(exercise__isnull=True, pool_tag__isnull=False)),
            name="item_is_exercise_or_pool")]

    def __str__(self):
        if self.exercise_id:
            return f"{self.position}. {self.exercise}"
        level = f" at difficulty {self.pool_difficulty}" if self.pool_difficulty else ""
        return f"{self.position}. one exercise tagged {self.pool_tag}{level}"


class Attempt(models.Model):
    """A learner's work on one exercise: one variant, their submissions, their best score.

    `item` is empty for practice on an exercise outside any quiz (e.g. from the API)."""

    learner = models.ForeignKey(User, verbose_name=_("learner"),
                                on_delete=models.CASCADE, related_name="attempts")
    item = models.ForeignKey(QuizItem, verbose_name=_("item"),
                             on_delete=models.CASCADE, null=True, blank=True,
                             related_name="attempts")
    exercise = models.ForeignKey(Exercise, verbose_name=_("exercise"),
                                 on_delete=models.CASCADE, related_name="attempts")
    variant = models.ForeignKey(Variant, verbose_name=_("variant"),
                                on_delete=models.PROTECT, related_name="attempts")
    best_score = models.FloatField(_("best score"), default=0)
    graded_count = models.PositiveIntegerField(_("graded count"), default=0)
    solved = models.BooleanField(_("solved"), default=False)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    # The learner's accommodation, copied here when the attempt starts and whenever the
    # accommodation changes (exercises.accommodations), so that the submission path reads
    # it with the attempt and asks no extra query.
    time_multiplier = models.FloatField(_("time multiplier"), default=1.0)
    extra_attempts = models.PositiveIntegerField(_("extra attempts"), default=0)
    accommodated_due_at = models.DateTimeField(_("accommodated due at"), null=True, blank=True)
    # The quiz-wide clock: when the learner opened their first item of this quiz.
    clock_started_at = models.DateTimeField(_("clock started at"), null=True, blank=True)
    # The latest manual override (ScoreOverride), which counts instead of best_score.
    override_score = models.FloatField(_("override score"), null=True, blank=True)
    # What the learner may learn here, decided by exercises.disclosure when the attempt
    # starts and again when a quiz, item, exercise or enrolment changes (PolicyEpoch):
    # never per request, so the submission path reads it with the attempt.
    disclosure = models.JSONField(_("disclosure"), default=dict, blank=True, editable=False)
    # Its graded submissions in brief, for item analysis (exercises.attempt_marks): how
    # many, where its best is, and keys that let SQL group a class's attempts by their
    # first marks, best marks and whole history without reading any submission. Kept by
    # the submission path in the statement that stores a submission, and by a regrade.
    analysis_count = models.PositiveIntegerField(_("analysis count"), default=0,
                                                 editable=False)
    analysis_first_key = models.BigIntegerField(_("analysis first key"), default=0,
                                                editable=False)
    analysis_best_at = models.PositiveIntegerField(_("analysis best at"), default=0,
                                                   editable=False)
    analysis_best_score = models.FloatField(_("analysis best score"), default=0.0,
                                            editable=False)
    analysis_best_key = models.BigIntegerField(_("analysis best key"), default=0,
                                               editable=False)
    analysis_history_key = models.BigIntegerField(_("analysis history key"), default=0,
                                                  editable=False)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["-started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "item"], name="one_attempt_per_item",
                                    condition=models.Q(item__isnull=False)),
            models.UniqueConstraint(fields=["learner", "exercise"],
                                    name="one_practice_attempt_per_exercise",
                                    condition=models.Q(item__isnull=True)),
        ]

    def __str__(self):
        return f"{self.learner} on {self.exercise}"

    @property
    def score(self) -> float:
        """What counts in grades: an instructor's override, else the best score."""
        return self.best_score if self.override_score is None else self.override_score


class Submission(models.Model):
    """Append-only: what a learner typed, exactly, and how it was graded at that moment."""

    class Kind(models.TextChoices):
        FULL = "full", _("full answer")
        STEP = "step", _("step-through check")

    attempt = models.ForeignKey(Attempt, verbose_name=_("attempt"),
                                on_delete=models.CASCADE, related_name="submissions")
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices, default=Kind.FULL)
    raw_answers = models.JSONField(_("raw answers"), help_text=_("Answers exactly as typed."))
    parsed = models.JSONField(
        _("parsed"), default=dict, help_text=_("Parsed values (null where invalid)."))
    result = models.JSONField(_("result"), default=dict, help_text=_("The grader's result."))
    valid = models.BooleanField(_("valid"), default=True)
    counted = models.BooleanField(
        _("counted"), default=True, help_text=_("Whether it used up an attempt."))
    raw_score = models.FloatField(_("raw score"), default=0)
    score = models.FloatField(_("score"), default=0, help_text=_("After the retry penalty."))
    # The result's verdicts in brief, [[node, correct 0/1, misconception or null,
    # ambiguous 0/1], ...]: what item analysis counts (exercises.statistics), small enough
    # to read for every submission of a class where the full result (hints and all) is not.
    marks = models.JSONField(_("marks"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"submission {self.pk} ({self.score:.2f})"

    def save(self, *args, **kwargs):
        # Integrity guard, not business logic: a stored submission is never rewritten.
        if self.pk is not None and not self._state.adding:
            raise ValueError("submissions are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("submissions are append-only")


class Regrade(models.Model):
    """A later grading of a submission (e.g. after a tolerance change); the original stays.

    A submission's latest regrade (`latest`, one at most) is its grading now: item
    analysis reads its score and marks instead of the submission's own."""

    submission = models.ForeignKey(Submission, verbose_name=_("submission"),
                                   on_delete=models.CASCADE,
                                   related_name="regrades")
    old_score = models.FloatField(_("old score"))
    new_score = models.FloatField(_("new score"))
    result = models.JSONField(_("result"))
    # The result's verdicts in brief, as Submission.marks (exercises.statistics reads them).
    marks = models.JSONField(_("marks"), default=list, blank=True)
    # Set on the newest regrade of the submission, cleared on the one before when another
    # is stored (exercises.resolve, the only writer).
    latest = models.BooleanField(_("latest"), default=False)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("created by"),
                                   on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("regrade")
        verbose_name_plural = _("regrades")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["submission"],
                                               condition=models.Q(latest=True),
                                               name="one_latest_regrade")]


def _new_key() -> str:  # kept for migration 0001 (keys are hashed since 0004)
    return secrets.token_hex(20)


_KEYS = KeyGenerator()  # "<8-character prefix>.<32 random characters>", SHA-512 hashed


class IntegrationTokenManager(models.Manager):
    def create(self, **fields):
        """A new token with a new key: the key is on the returned object (`.key`) and
        nowhere else, so it can be shown once."""
        token = self.model(**fields)
        token.assign_new_key()
        token.save(force_insert=True)
        return token


class IntegrationToken(models.Model):
    """A key an LMS uses to act for one course (provision learners, read grades).

    Only a hash of the key is stored (djangorestframework-api-key's SHA-512 scheme: the
    keys are random, so a fast hash is safe), found by its first characters (`prefix`):
    a database dump yields no working key. The key itself is shown once, when made.
    """

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE,
                               related_name="integration_tokens")
    name = models.CharField(_("name"), max_length=100, default="LMS")
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True, editable=False)
    hashed_key = models.CharField(_("hashed key"), max_length=150, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True,
                                      help_text=_("After this the key no longer works."))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("integration token")
        verbose_name_plural = _("integration tokens")

    objects = IntegrationTokenManager()
    key: str | None = None  # the plain key, on the object that made it only

    def __str__(self):
        return f"{self.name} for {self.course}"

    def assign_new_key(self) -> str:
        self.key, self.prefix, self.hashed_key = _KEYS.generate()
        return self.key

    def usable(self, now) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def matches(self, key: str) -> bool:
        return _KEYS.verify(key, self.hashed_key)


def key_prefix(key: str) -> str:
    """What a key is looked up by: its part before the dot (keys made before keys were
    hashed have none: their first 8 characters, as their migration stored them)."""
    return key.split(".", 1)[0][:8]


class PolicyEpoch(models.Model):
    """One row counting changes to anything the disclosure rule reads (quizzes, items,
    exercises, enrolments). An attempt's stored disclosure is current while it was decided
    at the current count; the submission path reads the count in its one attempt query."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("policy epoch")
        verbose_name_plural = _("policy epochs")


class ProvisionedAccount(models.Model):
    """Who made a learner's account (an instructor, or a course's integration key): they
    may enrol it in their other courses by username; nobody else may."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="provisioned")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_by_key = models.ForeignKey("IntegrationToken", on_delete=models.SET_NULL,
                                       null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("provisioned account")
        verbose_name_plural = _("provisioned accounts")


class FloorPing(models.Model):
    """Benchmark floor: authenticate + insert one row (POST /api/v1/floor/, bench/http.py)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("floor ping")
        verbose_name_plural = _("floor pings")


# Accommodations, overrides and revisions live in their own module (a second concern).
from .course_records import (  # noqa: E402,F401
    Accommodation,
    AccommodationLog,
    QuizOverride,
    ScoreOverride,
)

# An exercise's own rules and question tests (exercises.feedback).
from .feedback_models import FeedbackRule, QuestionTest  # noqa: E402,F401
