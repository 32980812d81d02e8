"""Input validation and output shapes. No rules here: they live in services/selectors.

Learner-facing serializers read a variant's stored solution only through
`selectors.learner_graph` / `selectors.learner_result`, so they cannot put a gradient in a
response. Only `InstructorExerciseSerializer` and `SolutionSerializer` call
`selectors.solution_values`, and the views use those for instructors (or once the quiz
policy reveals the solution) only.
"""

from __future__ import annotations

import math

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import exercise_kinds, kind_steps, overrides, selectors, services
from ..grading import ALL_CODES, MAX_CHARS
from ..models import Ask, Attempt, Course, Exercise, Granularity, Quiz, QuizItem, Submission

MAX_SOURCE_CHARS = 20_000  # a program of a few hundred lines; the engine has its own limits
MAX_ANSWERS = 500
MAX_NODE_NAME = 100
MAX_KEY = 2 * MAX_NODE_NAME + 1  # an edge "z2/a1" of a local-derivative exercise


# -- auth and people -----------------------------------------------------------------------
class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False,
                                     style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class LearnerCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True,
                                     style={"input_type": "password"})
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    course = serializers.IntegerField(
        required=False, allow_null=True, min_value=1,
        help_text="A course you teach; default: your first course (an integration token "
                  "always enrolls into its own course).")

    def validate_username(self, value):
        if get_user_model().objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError(f"the username '{value}' is taken")
        return value


class EnrollSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)


class LearnerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True, help_text="Empty when none was given.")


class CreatedLearnerSerializer(LearnerSerializer):
    course = serializers.IntegerField(read_only=True, help_text="The course enrolled in.")


# -- courses and quizzes ------------------------------------------------------------------
class CourseSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField(
        help_text="instructor | learner | integration: how the caller relates to the course")

    class Meta:
        model = Course
        fields = ["id", "title", "role", "created_at"]

    def get_role(self, course) -> str:
        roles = self.context.get("roles", {})
        return roles.get(course.pk, "learner")


class QuizItemSerializer(serializers.ModelSerializer):
    exercise_title = serializers.CharField(source="exercise.title", read_only=True,
                                           allow_null=True, default=None)
    pool_tag = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True,
                                            help_text="Null for a fixed exercise.")

    class Meta:
        model = QuizItem
        fields = ["id", "position", "points", "exercise", "exercise_title", "pool_tag",
                  "pool_difficulty"]


REVEAL_HELP = "When learners see it: immediately, after_due or never."


class QuizSerializer(serializers.ModelSerializer):
    items = QuizItemSerializer(many=True, read_only=True)
    # Plain strings: one shared choice set under two names makes the schema warn.
    show_correctness = serializers.CharField(read_only=True, help_text=REVEAL_HELP)
    show_solution = serializers.CharField(read_only=True, help_text=REVEAL_HELP)

    class Meta:
        model = Quiz
        fields = ["id", "course", "title", "opens_at", "due_at", "time_limit_minutes",
                  "quiz_time_limit_minutes",
                  "attempts_allowed", "retry_penalty", "hint_level", "follow_through_credit",
                  "show_correctness", "show_solution", "step_through", "items"]


class OverrideShownSerializer(serializers.Serializer):
    score = serializers.FloatField()
    reason = serializers.CharField()
    by = serializers.CharField()
    at = serializers.DateTimeField()


class GradeSerializer(serializers.Serializer):
    learner = serializers.IntegerField()
    username = serializers.CharField()
    score = serializers.FloatField(help_text="The quiz score, 0..1: an instructor's quiz "
                                             "override where set, else the item scores "
                                             "weighted by points.")
    items = serializers.DictField(child=serializers.FloatField(),
                                  help_text="Quiz item id → score (0..1): an override where "
                                            "set, else the best.")
    override = OverrideShownSerializer(
        allow_null=True, help_text="The instructor's quiz override ({score, reason, by, "
                                   "at}) that is the quiz score; null if none.")
    updated_at = serializers.DateTimeField()


class GradesQuerySerializer(serializers.Serializer):
    updated_since = serializers.DateTimeField(
        required=False, help_text="ISO 8601; only learners with a change at or after it.")


# -- exercises ----------------------------------------------------------------------------
class ToleranceSerializer(serializers.Serializer):
    rel = serializers.FloatField(required=False, min_value=0, max_value=1)
    abs = serializers.FloatField(required=False, min_value=0, max_value=1e6)
    sig_figs = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                        max_value=15)


class NudgeSerializer(serializers.Serializer):
    input = serializers.CharField(max_length=MAX_NODE_NAME, help_text="The input x nudged.")
    h = serializers.FloatField(required=False, allow_null=True, min_value=-1e6, max_value=1e6,
                               help_text="The step h; default 0.001.")


class ExerciseCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    program = serializers.CharField(required=False, allow_blank=True, default="",
                                    max_length=MAX_SOURCE_CHARS, trim_whitespace=False,
                                    help_text="The authoring language, e.g. \"a = 3\\nb = 2\\n"
                                              "L = a * b\".")
    mermaid = serializers.CharField(required=False, allow_blank=True, default="",
                                    max_length=MAX_SOURCE_CHARS, trim_whitespace=False)
    course = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                      help_text="A course you teach; default: your first.")
    difficulty = serializers.IntegerField(required=False, default=1, min_value=1,
                                          max_value=5)
    kind = serializers.ChoiceField(
        choices=Ask.choices, required=False, default=Ask.GRAD,
        help_text="What learners are asked for: gradients (grad), forward values (data), "
                  "both, the local derivative on each edge (local), a gradient-descent "
                  "update (update: needs learning_rate) or a nudge (nudge: needs nudge).")
    ask = serializers.ListField(
        child=serializers.CharField(max_length=MAX_KEY), required=False,
        max_length=MAX_ANSWERS,
        help_text="What to ask about, in the kind's keys: node names for grad and data, "
                  "\"z2/a1\" (∂z2/∂a1) for local, parameter names for update, \"nudged\" "
                  "and \"slope\" for nudge; default: the kind's own (for gradients every "
                  "node but the constants).")
    learning_rate = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=1e6,
        help_text="update: the learning rate η.")
    parameters = serializers.ListField(
        child=serializers.CharField(max_length=MAX_NODE_NAME), required=False,
        max_length=MAX_ANSWERS, help_text="update: the inputs updated; default: every input.")
    nudge = NudgeSerializer(required=False, help_text="nudge: the input x and the step h.")
    tags = serializers.ListField(child=serializers.SlugField(max_length=50), required=False,
                                 max_length=20)
    tolerance = ToleranceSerializer(required=False)
    granularity = serializers.ChoiceField(
        choices=Granularity.choices, required=False, default=Granularity.LINE,
        help_text="One node per program line (as the notes draw it) or per binary gate.")

    def validate(self, attrs):
        if not (attrs["program"].strip() or attrs["mermaid"].strip()):
            raise serializers.ValidationError(
                {"program": ["write a program or a Mermaid flowchart"]})
        return attrs


class NodeSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["input", "const", "op"])
    op = serializers.CharField(allow_null=True)
    inputs = serializers.ListField(child=serializers.CharField())
    data = serializers.FloatField(allow_null=True,
                                  help_text="Forward value; null where learners must find it.")
    exponent = serializers.CharField(required=False)
    symbol = serializers.CharField(required=False)
    expression = serializers.CharField(
        required=False, help_text="A line node's right-hand side (op \"expr\"): w1 * x + b1.")
    expression_latex = serializers.CharField(required=False)


class GraphSerializer(serializers.Serializer):
    output = serializers.CharField()
    nodes = NodeSerializer(many=True)


SOLUTION_SCHEMA = {"type": "object", "additionalProperties": {
    "type": "object", "properties": {"data": {"type": "number"}, "grad": {"type": "number"}}},
    "description": "Node name → its forward value and gradient."}


ANSWERS_SCHEMA = {"type": "object", "additionalProperties": {"type": "number"},
                  "description": "Asked key → its correct value."}


def attempt_solution(attempt: Attempt) -> dict:
    """The attempt's frozen solution with its kind's numbers, read once per serialized
    attempt."""
    if not hasattr(attempt, "_solution"):
        attempt._solution = services.variant_solution(attempt.exercise, attempt.variant)
    return attempt._solution


def example_variant(exercise: Exercise):
    """The exercise's seed-0 variant (made with the exercise; made now if missing), read
    once per serialized exercise."""
    if not hasattr(exercise, "_example_variant"):
        exercise._example_variant = services.get_or_create_variant(exercise, 0)
    return exercise._example_variant


MODES = {Ask.GRAD: "backward", Ask.DATA: "forward", Ask.BOTH: "both", Ask.LOCAL: "local",
         Ask.UPDATE: "update", Ask.NUDGE: "nudge"}


@extend_schema_field({"type": "string", "enum": list(MODES.values())})
class AskModeField(serializers.ReadOnlyField):
    """What a learner works: "backward" (gradients), "forward" (values), "both", "local"
    (the local derivative on each edge), "update" (w − η·∂L/∂w) or "nudge" (L(x + h) and
    the slope). The passes are named by pass rather than by the stored value so no learner
    body says "grad"."""

    MODES = MODES

    def to_representation(self, value):
        return self.MODES.get(value, value)


class ExerciseListSerializer(serializers.ModelSerializer):
    """List items carry no graph and no solution, whoever asks."""

    mode = AskModeField(source="ask")
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    can_manage = serializers.SerializerMethodField()

    class Meta:
        model = Exercise
        fields = ["id", "title", "course", "difficulty", "mode", "tags", "can_manage"]

    def get_can_manage(self, exercise) -> bool:
        return exercise.pk in self.context.get("managed_ids", set())


ASK_HELP = ("The keys learners answer for: node names (backward, forward, both), "
            "\"z2/a1\" for ∂z2/∂a1 (local), parameter names (update), \"nudged\" and "
            "\"slope\" (nudge).")


class BoxSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The answer key (as in `ask`).")
    label = serializers.CharField(help_text="How the box is written: ∂z2/∂a1, loss(x + h), …")
    label_latex = serializers.CharField()
    edge = serializers.ListField(child=serializers.CharField(), allow_null=True,
                                 help_text="local: the arrow [from, to] the box sits on.")


class KindSettingsMixin(serializers.Serializer):
    """What a learner is told beyond the graph, as frozen with their variant: η and the
    parameters of an update, the nudged input and h of a nudge (null for other kinds);
    how each answer box is written, and a local exercise's chain order."""

    boxes = serializers.SerializerMethodField()
    chain = serializers.SerializerMethodField(
        help_text="local: the boxes in the notes' backward order when they are one node's "
                  "path to the output (their product is its gradient); else null.")

    @extend_schema_field(BoxSerializer(many=True))
    def get_boxes(self, obj) -> list:
        return exercise_kinds.boxes(*self.exercise_and_solution(obj))

    def get_chain(self, obj) -> list[str] | None:
        return exercise_kinds.chain(*self.exercise_and_solution(obj))

    learning_rate = serializers.SerializerMethodField(help_text="update: η; else null.")
    parameters = serializers.SerializerMethodField(
        help_text="update: the inputs to update; else null.")
    nudge = serializers.SerializerMethodField(help_text="nudge: the input and h; else null.")

    def _settings(self, obj) -> dict:
        exercise, solution = self.exercise_and_solution(obj)
        return exercise_kinds.learner_settings(exercise, solution) or {}

    def get_learning_rate(self, obj) -> float | None:
        return self._settings(obj).get("learning_rate")

    def get_parameters(self, obj) -> list[str] | None:
        return self._settings(obj).get("parameters")

    @extend_schema_field(NudgeSerializer(allow_null=True))
    def get_nudge(self, obj) -> dict | None:
        nudge = self._settings(obj).get("nudge")
        return {"input": nudge["input"], "h": nudge["h"]} if nudge else None


class LearnerExerciseSerializer(KindSettingsMixin, serializers.ModelSerializer):
    """What a learner sees of an exercise: the graph with the data they are given. No
    source text either (a Mermaid diagram may carry gradients in its labels)."""

    mode = AskModeField(source="ask")
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    graph = serializers.SerializerMethodField()
    ask = serializers.SerializerMethodField(help_text=ASK_HELP)

    class Meta:
        model = Exercise
        fields = ["id", "title", "course", "difficulty", "mode", "tags", "graph", "ask",
                  "boxes", "chain", "learning_rate", "parameters", "nudge"]

    def exercise_and_solution(self, exercise) -> tuple[Exercise, dict]:
        return exercise, example_variant(exercise).graph

    @extend_schema_field(GraphSerializer)
    def get_graph(self, exercise) -> dict:
        return selectors.learner_graph(example_variant(exercise).graph, exercise.ask)

    def get_ask(self, exercise) -> list[str]:
        return services.asked_nodes(exercise, example_variant(exercise).graph)


class InstructorExerciseSerializer(LearnerExerciseSerializer):
    tolerance = serializers.SerializerMethodField()
    solution = serializers.SerializerMethodField()

    answers = serializers.SerializerMethodField(
        help_text="Every asked key's correct value (seed 0), in the kind's keys.")

    class Meta:
        model = Exercise
        fields = ["id", "title", "course", "difficulty", "mode", "tags", "graph", "ask",
                  "boxes", "chain", "learning_rate", "parameters", "nudge", "program",
                  "mermaid", "granularity", "tolerance",
                  "solution", "answers", "author", "created_at", "updated_at"]

    @extend_schema_field(GraphSerializer)
    def get_graph(self, exercise) -> dict:
        # Instructors see every forward value, whatever learners are asked for.
        return selectors.learner_graph(example_variant(exercise).graph, Ask.GRAD)

    @extend_schema_field(ToleranceSerializer)
    def get_tolerance(self, exercise) -> dict:
        return {"rel": exercise.tolerance_rel, "abs": exercise.tolerance_abs,
                "sig_figs": exercise.tolerance_sig_figs}

    @extend_schema_field(SOLUTION_SCHEMA)
    def get_solution(self, exercise) -> dict:
        return selectors.solution_values(example_variant(exercise).graph)

    @extend_schema_field(ANSWERS_SCHEMA)
    def get_answers(self, exercise) -> dict:
        return exercise_kinds.answers(exercise, example_variant(exercise).graph)


# -- attempts and submissions ------------------------------------------------------------
class NodeResultSerializer(serializers.Serializer):
    """One node's result. Which keys are sent depends on the quiz policy: `correct` only
    once correctness is shown, the diagnosis and hint only at hint levels above 0."""

    correct = serializers.BooleanField(allow_null=True, required=False)
    valid = serializers.BooleanField()
    misconception = serializers.ChoiceField(
        choices=ALL_CODES, allow_null=True, required=False,
        help_text="The misconception code (null when no rule fits the wrong answer).")
    also = serializers.ListField(
        child=serializers.ChoiceField(choices=ALL_CODES), required=False,
        help_text="Other codes that give the same wrong number.")
    ambiguous = serializers.BooleanField(
        required=False, help_text="More than one rule gives this number: `misconception` "
                                  "is the likeliest, `also` the others.")
    rule = serializers.CharField(
        allow_null=True, required=False,
        help_text="With misconception `authored`: the code of the exercise's own rule.")
    hint = serializers.CharField(allow_null=True, required=False)
    hint_latex = serializers.CharField(allow_null=True, required=False)
    answer = serializers.CharField(allow_null=True, required=False)
    error = serializers.CharField(allow_null=True, required=False)


def _result_for(submission: Submission, context: dict) -> dict:
    if context.get("full_results"):
        return submission.result  # instructors of the course see the grader's result
    return selectors.learner_result(submission)


class SubmissionSerializer(serializers.Serializer):
    """A submission with its result as the caller may see it: the grader's shape (score,
    nodes, ...) with the submission's ids merged in at the top level. The fields declared
    here document the shape; `to_representation` builds it."""

    id = serializers.IntegerField()
    attempt = serializers.IntegerField()
    kind = serializers.CharField()
    created_at = serializers.DateTimeField()
    valid = serializers.BooleanField()
    counted = serializers.BooleanField(help_text="Whether it used up one of the attempts.")
    answers = serializers.DictField(child=serializers.JSONField(),
                                    help_text="The answers exactly as sent.")
    score = serializers.FloatField(allow_null=True,
                                   help_text="The grader's score, 0..1 (null until the quiz "
                                             "shows results).")
    recorded_score = serializers.FloatField(
        allow_null=True, help_text="After the quiz's retry penalty: what counts towards the "
                                   "best score (null until the quiz shows results).")
    nodes = serializers.DictField(child=NodeResultSerializer())
    message = serializers.CharField(required=False)

    def to_representation(self, submission):
        shown = _result_for(submission, self.context)
        data = dict(shown)
        data.update(
            id=submission.pk, attempt=submission.attempt_id, kind=submission.kind,
            created_at=serializers.DateTimeField().to_representation(submission.created_at),
            valid=submission.valid, counted=submission.counted,
            answers=submission.raw_answers,
            recorded_score=submission.score if shown.get("score") is not None else None)
        data.setdefault("score", None)
        data.setdefault("nodes", {})
        return data


class SubmissionResultSerializer(SubmissionSerializer):
    """A new submission's result, with where the attempt now stands."""

    best_score = serializers.FloatField(allow_null=True,
                                        help_text="Null while the quiz hides results.")
    submissions_left = serializers.IntegerField(allow_null=True, help_text="Null: unlimited.")

    def to_representation(self, submission):
        data = super().to_representation(submission)
        attempt = submission.attempt
        data["best_score"] = (attempt.best_score if selectors.reveals_correctness(attempt)
                              and submission.valid else None)
        data["submissions_left"] = selectors.submissions_left(attempt)
        return data


class AttemptSummarySerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="exercise.title", read_only=True)
    quiz = serializers.SerializerMethodField()
    mode = AskModeField(source="exercise.ask")
    best_score = serializers.SerializerMethodField(
        help_text="Null while the quiz does not show results yet.")
    solved = serializers.SerializerMethodField()
    submissions_left = serializers.SerializerMethodField(help_text="Null: unlimited.")

    class Meta:
        model = Attempt
        fields = ["id", "exercise", "title", "item", "quiz", "mode", "best_score", "solved",
                  "graded_count", "submissions_left", "started_at", "updated_at"]

    def get_quiz(self, attempt) -> int | None:
        return attempt.item.quiz_id if attempt.item_id else None

    def get_best_score(self, attempt) -> float | None:
        return attempt.best_score if self._shows(attempt) else None

    def get_solved(self, attempt) -> bool | None:
        return attempt.solved if self._shows(attempt) else None

    def _shows(self, attempt) -> bool:
        return bool(self.context.get("full_results")) or selectors.reveals_correctness(attempt)

    def get_submissions_left(self, attempt) -> int | None:
        return selectors.submissions_left(attempt)


class StepKnownSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField(required=False, help_text="A number the graph shows.")
    key = serializers.CharField(required=False,
                                help_text="The learner's own answer to this step, once "
                                          "checked right.")


class StepSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True, help_text="What a step check sends: an asked key, or a gradient on "
                                   "the way (\"grad:w1\"); null for a step that is known.")
    label = serializers.CharField(help_text="How the step is written: ∂z₂/∂a₁, loss(x + h), …")
    formula = serializers.CharField(help_text="The step in the program's names.")
    known = StepKnownSerializer(many=True)
    box = serializers.BooleanField(help_text="An asked box (false: a step check only).")
    value = serializers.CharField(required=False, help_text="A known step's number.")


class AttemptSerializer(KindSettingsMixin, AttemptSummarySerializer):
    """The learner's variant (no gradients), the keys asked, what the kind tells them (η,
    the nudge) and the submissions so far."""

    graph = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField(
        help_text="local, update, nudge: the step-through's steps in order, each checked "
                  "with a kind \"step\" submission of its key; null where the policy "
                  "offers no step-through, and for the kinds answered in the graph.")
    ask = serializers.SerializerMethodField(help_text=ASK_HELP)
    learner = serializers.SerializerMethodField()
    submissions = serializers.SerializerMethodField()
    override = serializers.SerializerMethodField(
        help_text="An instructor's score for the attempt ({score, reason, by, at}), which "
                  "counts instead of the best score; null if none.")

    class Meta(AttemptSummarySerializer.Meta):
        fields = AttemptSummarySerializer.Meta.fields + [
            "learner", "graph", "ask", "boxes", "chain", "steps", "learning_rate", "parameters",
            "nudge",
            "submissions", "override"]

    def exercise_and_solution(self, attempt) -> tuple[Exercise, dict]:
        return attempt.exercise, attempt_solution(attempt)

    @extend_schema_field(OverrideShownSerializer(allow_null=True))
    def get_override(self, attempt) -> dict | None:
        if not (self.context.get("full_results") or selectors.reveals_correctness(attempt)):
            return None
        return overrides.shown(overrides.latest(attempt))

    @extend_schema_field(GraphSerializer)
    def get_graph(self, attempt) -> dict:
        return selectors.learner_graph(attempt.variant.graph, attempt.exercise.ask)

    def get_ask(self, attempt) -> list[str]:
        return services.asked_nodes(attempt.exercise, attempt_solution(attempt))

    @extend_schema_field(StepSerializer(many=True, allow_null=True))
    def get_steps(self, attempt) -> list | None:
        """local, update, nudge: the step-through's steps, each checked with a `kind:
        "step"` submission of its key; null where the policy offers no step-through (and
        for the other kinds, whose steps are the graph's nodes)."""
        if attempt.exercise.ask not in kind_steps.STEP_KINDS or not selectors.step_allowed(
                attempt):
            return None
        return kind_steps.steps(attempt.exercise, attempt_solution(attempt))

    @extend_schema_field(LearnerSerializer)
    def get_learner(self, attempt) -> dict:
        return {"id": attempt.learner.pk, "username": attempt.learner.get_username(),
                "email": attempt.learner.email}

    @extend_schema_field(SubmissionSerializer(many=True))
    def get_submissions(self, attempt) -> list:
        return SubmissionSerializer(attempt.submissions.all(), many=True,
                                    context=self.context).data


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string"}],
                      "nullable": True})
class AnswerField(serializers.Field):
    """One answer as sent, kept as it is: SubmissionCreateSerializer.validate checks every
    answer's kind and size at once and reports them per node."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


class SubmissionCreateSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=AnswerField(), required=False, allow_empty=True,
        help_text="Every kind: asked key → the answer, as a number or arithmetic text like "
                  "\"1/4\" (node names; \"z2/a1\" for local; parameter names for update; "
                  "\"nudged\" and \"slope\" for nudge).")
    grads = serializers.DictField(
        child=AnswerField(), required=False, allow_empty=True,
        help_text="Node name → the gradient, as a number or arithmetic text like \"1/4\".")
    data = serializers.DictField(
        child=AnswerField(), required=False, allow_empty=True,
        help_text="For exercises that ask for forward values: node name → value.")
    kind = serializers.ChoiceField(
        choices=Submission.Kind.choices, required=False, default=Submission.Kind.FULL,
        help_text="full: a graded submission. step: check one answer (step-through), "
                  "only where the quiz offers it; it costs and counts nothing. A step "
                  "may also check a gradient on the way, \"grad:w1\" (∂L/∂w1): a local "
                  "chain's product, or an update's ∂L/∂w for each parameter.")

    def validate(self, attrs):
        given = [key for key in ("answers", "grads", "data") if key in attrs]
        if not given:
            raise serializers.ValidationError({"answers": ["This field is required."]})
        if len(given) > 1:
            raise serializers.ValidationError(
                {given[1]: [f"send one of answers, grads or data, not {' and '.join(given)}"]})
        answers = attrs[given[0]]
        if len(answers) > MAX_ANSWERS:
            raise serializers.ValidationError({given[0]: [f"at most {MAX_ANSWERS} answers"]})
        errors = {}
        for name, value in answers.items():
            if len(name) > MAX_KEY or "\x00" in name:
                errors[name[:MAX_KEY]] = "not a node name"
            elif isinstance(value, str) and "\x00" in value:  # PostgreSQL JSON can't hold it
                errors[name] = "an answer cannot contain NUL characters"
            elif value is not None and (isinstance(value, bool)
                                        or not isinstance(value, str | int | float)):
                errors[name] = "an answer must be a number or text like \"1/4\""
            elif isinstance(value, float) and not math.isfinite(value):  # 1e999 in JSON
                errors[name] = "an answer must be a finite number"
            elif isinstance(value, str) and len(value) > MAX_CHARS * 5:
                errors[name] = f"an answer is at most {MAX_CHARS} characters"
        if errors:
            raise serializers.ValidationError({given[0]: errors})
        return {"answers": answers, "given": given[0], "kind": attrs["kind"]}


class ServiceErrorSerializer(serializers.Serializer):
    """An error: `detail` says what is wrong. Some add fields (the field at fault, ...)."""

    detail = serializers.CharField()


class InvalidAnswersSerializer(ServiceErrorSerializer):
    errors = serializers.DictField(child=serializers.CharField(),
                                   help_text="Node name → why its answer could not be read.")
    submission = serializers.IntegerField(help_text="The stored (uncounted) submission.")


class InvalidProgramSerializer(ServiceErrorSerializer):
    line = serializers.IntegerField(allow_null=True)
    problem = serializers.CharField()
    program = serializers.ListField(child=serializers.CharField())


class SolutionSerializer(serializers.Serializer):
    """An attempt's solution: only served once the quiz policy reveals it."""

    solution = serializers.SerializerMethodField()
    answers = serializers.SerializerMethodField(
        help_text="Every asked key's correct value, in the kind's keys.")

    @extend_schema_field(SOLUTION_SCHEMA)
    def get_solution(self, attempt) -> dict:
        return selectors.solution_values(attempt.variant.graph)

    @extend_schema_field(ANSWERS_SCHEMA)
    def get_answers(self, attempt) -> dict:
        return exercise_kinds.answers(attempt.exercise, attempt_solution(attempt))
