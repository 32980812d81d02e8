"""The quiz bank's domain. Writes go through `services`, permission-aware reads through
`selectors`; models hold data, constraints and small derived properties only."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
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
    title = models.CharField(max_length=200)
    instructors = models.ManyToManyField(User, related_name="teaching_courses", blank=True)
    learners = models.ManyToManyField(User, related_name="enrolled_courses", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self):
        return self.title


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Ask(models.TextChoices):
    """The exercise kinds (grading.kinds has one entry for each; both is graded as grad)."""

    GRAD = "grad", "gradients (backward pass)"
    DATA = "data", "values (forward pass)"
    BOTH = "both", "values and gradients"
    LOCAL = "local", "local derivatives (one on each edge)"
    UPDATE = "update", "a gradient-descent update (w − η·∂L/∂w)"
    NUDGE = "nudge", "a nudge: L(x + h) and its slope"


class Granularity(models.TextChoices):
    LINE = "line", "one node per program line"
    GATE = "gate", "one node per binary gate"


class Exercise(models.Model):
    objects = PolicyQuerySet.as_manager()

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="exercises",
                               null=True, blank=True,
                               help_text="Empty: a shared exercise only staff can see.")
    title = models.CharField(max_length=200)
    program = models.TextField(
        blank=True, help_text="The authoring language (like the notes' listings), or a "
                              "Mermaid flowchart. Leave empty to use the Mermaid source below.")
    mermaid = models.TextField(blank=True, help_text="Optional Mermaid flowchart.")
    tags = models.ManyToManyField(Tag, blank=True, related_name="exercises")
    difficulty = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(5)])
    ask = models.CharField(max_length=6, choices=Ask.choices, default=Ask.GRAD)
    # Exercises made before line granularity existed keep the gate graphs their variants
    # froze (the migration gives them "gate"); new ones are drawn as the notes draw them.
    granularity = models.CharField(
        max_length=4, choices=Granularity.choices, default=Granularity.LINE,
        help_text="Each program line one node (as the notes draw it), or each binary gate.")
    tolerance_rel = models.FloatField(default=1e-2, validators=[MinValueValidator(0)])
    tolerance_abs = models.FloatField(default=1e-6, validators=[MinValueValidator(0)])
    tolerance_sig_figs = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(15)],
        help_text="If set, answers must match to this many significant figures instead.")
    asked_nodes = models.JSONField(
        default=list, blank=True,
        help_text="What learners are asked about: node names (edges like z2/a1 for local "
                  "derivatives); empty means the kind's default (every input and op node).")
    learning_rate = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0)],
        help_text="Update exercises: the learning rate η.")
    parameters = models.JSONField(
        default=list, blank=True,
        help_text="Update exercises: the inputs updated; empty means every input.")
    nudge_input = models.CharField(max_length=100, blank=True,
                                   help_text="Nudge exercises: the input x that is nudged.")
    nudge_h = models.FloatField(null=True, blank=True,
                                help_text="Nudge exercises: the step h (empty: 0.001).")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="authored_exercises")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Every saved version, with who and when (django-simple-history); exercises.revisions
    # reads it as the program's revision history.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
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

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="variants")
    seed = models.BigIntegerField()
    perturbed = models.BooleanField(default=False)
    graph = models.JSONField(help_text="Graph.to_solution(): nodes, data, grads, locals.")
    # When the solution was frozen: at creation, and again when an instructor re-solves the
    # variant after fixing the program (exercises.resolve). Graders cache solutions by
    # (id, created_at), so a re-solved variant is read afresh by every process.
    created_at = models.DateTimeField(default=timezone.now)
    revision = models.ForeignKey(
        "exercises.HistoricalExercise", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", db_constraint=False,
        help_text="The version of the exercise's program the solution was made from.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["exercise", "seed", "perturbed"],
                                               name="one_variant_per_seed")]

    def __str__(self):
        return f"{self.exercise} (seed {self.seed})"


class Reveal(models.TextChoices):
    IMMEDIATELY = "immediately", "immediately"
    # Solutions only: the learner has no graded attempt left, has solved it, or the due
    # date has passed (PrairieLearn's and Moodle's usual setting).
    AFTER_ATTEMPTS = "after_attempts", "after the last attempt, once solved, or after the due date"
    AFTER_DUE = "after_due", "after the due date"
    NEVER = "never", "never"


CORRECTNESS_REVEALS = [(value, label) for value, label in Reveal.choices
                       if value != Reveal.AFTER_ATTEMPTS]


class Quiz(models.Model):
    objects = PolicyQuerySet.as_manager()

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="quizzes")
    title = models.CharField(max_length=200)
    opens_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    time_limit_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Per item: each item's clock starts when it is opened.")
    quiz_time_limit_minutes = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="The whole quiz: one clock, started when the learner opens their first item.")
    attempts_allowed = models.PositiveIntegerField(
        null=True, blank=True, help_text="Graded submissions per item; empty = unlimited.")
    retry_penalty = models.FloatField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Fraction of the item taken off for each earlier graded submission.")
    hint_level = models.PositiveSmallIntegerField(
        default=2, validators=[MaxValueValidator(3)],
        help_text="0 none, 1 nudge, 2 formula, 3 worked numbers.")
    follow_through_credit = models.FloatField(
        default=0.5, validators=[MinValueValidator(0), MaxValueValidator(1)])
    show_correctness = models.CharField(
        max_length=14, choices=CORRECTNESS_REVEALS, default=Reveal.IMMEDIATELY,
        help_text="When a learner sees which answers are right and their score.")
    show_solution = models.CharField(
        max_length=14, choices=Reveal.choices, default=Reveal.AFTER_ATTEMPTS,
        help_text="Immediately: as soon as a learner has made one graded submission — with "
                  "attempts left, they can read the solution and then score full marks on "
                  "the next try. After the last attempt: once they have no graded attempt "
                  "left or have solved it (or the quiz is past due).")
    step_through = models.BooleanField(default=True,
                                       help_text="Allow node-by-node practice mode.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "due_at", "title", "id"]
        verbose_name_plural = "quizzes"

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

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="quiz_items")
    pool_tag = models.ForeignKey(Tag, on_delete=models.PROTECT, null=True, blank=True)
    pool_difficulty = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)])
    points = models.FloatField(default=1, validators=[MinValueValidator(0)])
    perturb = models.BooleanField(
        default=False, verbose_name="perturb inputs",
        help_text="Fresh numbers for this quiz: each learner's inputs are jittered from the "
                  "program's (for an exercise without randint/choice that another quiz or "
                  "practice also uses).")

    class Meta:
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

    learner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="attempts")
    item = models.ForeignKey(QuizItem, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="attempts")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="attempts")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="attempts")
    best_score = models.FloatField(default=0)
    graded_count = models.PositiveIntegerField(default=0)
    solved = models.BooleanField(default=False)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # The learner's accommodation, copied here when the attempt starts and whenever the
    # accommodation changes (exercises.accommodations), so that the submission path reads
    # it with the attempt and asks no extra query.
    time_multiplier = models.FloatField(default=1.0)
    extra_attempts = models.PositiveIntegerField(default=0)
    accommodated_due_at = models.DateTimeField(null=True, blank=True)
    # The quiz-wide clock: when the learner opened their first item of this quiz.
    clock_started_at = models.DateTimeField(null=True, blank=True)
    # The latest manual override (ScoreOverride), which counts instead of best_score.
    override_score = models.FloatField(null=True, blank=True)
    # What the learner may learn here, decided by exercises.disclosure when the attempt
    # starts and again when a quiz, item, exercise or enrolment changes (PolicyEpoch):
    # never per request, so the submission path reads it with the attempt.
    disclosure = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
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
        FULL = "full", "full answer"
        STEP = "step", "step-through check"

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="submissions")
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.FULL)
    raw_answers = models.JSONField(help_text="Answers exactly as typed.")
    parsed = models.JSONField(default=dict, help_text="Parsed values (null where invalid).")
    result = models.JSONField(default=dict, help_text="The grader's result.")
    valid = models.BooleanField(default=True)
    counted = models.BooleanField(default=True, help_text="Whether it used up an attempt.")
    raw_score = models.FloatField(default=0)
    score = models.FloatField(default=0, help_text="After the retry penalty.")
    # The result's verdicts in brief, [[node, correct 0/1, misconception or null,
    # ambiguous 0/1], ...]: what item analysis counts (exercises.statistics), small enough
    # to read for every submission of a class where the full result (hints and all) is not.
    marks = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
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

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE,
                                   related_name="regrades")
    old_score = models.FloatField()
    new_score = models.FloatField()
    result = models.JSONField()
    # The result's verdicts in brief, as Submission.marks (exercises.statistics reads them).
    marks = models.JSONField(default=list, blank=True)
    # Set on the newest regrade of the submission, cleared on the one before when another
    # is stored (exercises.resolve, the only writer).
    latest = models.BooleanField(default=False)
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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

    course = models.ForeignKey(Course, on_delete=models.CASCADE,
                               related_name="integration_tokens")
    name = models.CharField(max_length=100, default="LMS")
    prefix = models.CharField(max_length=8, db_index=True, editable=False)
    hashed_key = models.CharField(max_length=150, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True,
                                      help_text="After this the key no longer works.")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

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


class ProvisionedAccount(models.Model):
    """Who made a learner's account (an instructor, or a course's integration key): they
    may enrol it in their other courses by username; nobody else may."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="provisioned")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_by_key = models.ForeignKey("IntegrationToken", on_delete=models.SET_NULL,
                                       null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class FloorPing(models.Model):
    """Benchmark floor: authenticate + insert one row (POST /api/v1/floor/, bench/http.py)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)


# Accommodations, overrides and revisions live in their own module (a second concern).
from .course_records import (  # noqa: E402,F401
    Accommodation,
    AccommodationLog,
    QuizOverride,
    ScoreOverride,
)

# An exercise's own rules and question tests (exercises.feedback).
from .feedback_models import FeedbackRule, QuestionTest  # noqa: E402,F401
