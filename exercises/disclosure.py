"""What a learner may learn about one set of numbers, and where they may answer for them.

The rule, stated once (issue #11). For a learner and a variant — the numbers they see —
what they may learn (a verdict per node, a score, a hint, the solution) is decided by the
strictest policy among the places those same numbers are in use for them: the attempt's
own place (a quiz item, or practice) and every quiz item of a quiz not yet past due that
gives them the same numbers. The strictest of those places is the one that takes their
answers (its "home"); the others show the numbers under the same policy but take no graded
answer or step check, so a lenient homework cannot rehearse an exam's numbers, nor spend
its attempts twice. Only exercises without randint/choice share numbers between places
(every place gets seed 0): "perturb inputs" on a quiz item gives that item fresh numbers.

Each decision is stored on the attempt (`Attempt.disclosure`) when the attempt starts,
and made again when anything it reads may have changed (the PolicyEpoch counter, which
the submission path reads in its one attempt query) or when a due date it depends on
passes; never per request. `selectors` re-exports `disclosure`: every learner-facing
path — API serializers, pages, step-through, solutions — asks it and nothing else.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from django.core.signals import request_finished, request_started
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from . import accommodations
from .models import Attempt, Exercise, PolicyEpoch, Quiz, QuizItem, Reveal

NEVER = "never"
PRACTICE_HINT_LEVEL = 2  # GradingPolicy's default: practice shows the formula hint


@dataclass(frozen=True, slots=True)
class Place:
    """Where a learner can meet one variant: a quiz item, or practice (item None), with
    the learner's own due date and attempt limit there (their accommodation)."""

    item: QuizItem | None
    quiz: Quiz | None
    due_at: datetime | None = None
    attempts_allowed: int | None = None

    @classmethod
    def of_attempt(cls, attempt: Attempt) -> Place:
        quiz = attempt.item.quiz if attempt.item_id else None
        if quiz is None:
            return cls(None, None)
        return cls(attempt.item, quiz, accommodations.due_at(attempt, quiz),
                   accommodations.attempts_allowed(attempt, quiz))

    @classmethod
    def of_item(cls, item: QuizItem, learner_id: int) -> Place:
        quiz = item.quiz
        own = accommodations.effective(learner_id, quiz)
        limit = quiz.attempts_allowed
        return cls(item, quiz, own["accommodated_due_at"] or quiz.due_at,
                   None if limit is None else limit + own["extra_attempts"])

    def past_due(self, now: datetime) -> bool:
        return self.due_at is not None and now >= self.due_at

    def strictness(self) -> tuple:
        """Larger is stricter, dimension by dimension in this order; ties go to the
        earlier item. Practice is the most lenient place there is."""
        quiz = self.quiz
        if quiz is None:
            return (0,)
        rank = {Reveal.IMMEDIATELY: 0, Reveal.AFTER_ATTEMPTS: 1, Reveal.AFTER_DUE: 2,
                Reveal.NEVER: 3}
        limit = self.attempts_allowed
        return (1, rank[quiz.show_correctness], rank[quiz.show_solution],
                -(limit if limit is not None else 10**9), -quiz.hint_level,
                not quiz.step_through, quiz.retry_penalty, bool(quiz.time_limit_minutes),
                -self.item.pk)


@dataclass(frozen=True, slots=True)
class Disclosure:
    """One attempt's decision, read from (and stored as) a small JSON object."""

    home: bool  # graded submissions and step checks are taken here
    elsewhere: str  # when not home: which quiz takes them (in English: stored, logged)
    elsewhere_at: dict  # the same as {"item": position} or {"quiz": title}, for the page
    correctness_at: str | None  # None: shown at once; an ISO time; or NEVER
    solution: dict  # the conjunction of every place's solution setting (see solution_shown)
    hint_level: int
    step_through: bool
    attempts_allowed: int | None  # the strictest limit among the places
    until: str | None  # when a due date this depends on passes: decide again
    epoch: int

    def shows_correctness(self, now: datetime | None = None) -> bool:
        if self.correctness_at is None:
            return True
        if self.correctness_at == NEVER:
            return False
        return (now or timezone.now()) >= parse_datetime(self.correctness_at)

    def solution_shown(self, attempt: Attempt, now: datetime | None = None) -> bool:
        """Every place's setting must allow it. Each needs, on the attempt that takes the
        answers: "immediately", a graded try; "after_attempts", solved or none left, or its
        due date passed; "after_due", its due date passed; "never", never."""
        rule = self.solution
        if rule.get("never"):
            return False
        now = now or timezone.now()
        if rule.get("after_due") and now < parse_datetime(rule["after_due"]):
            return False
        home = attempt if self.home else _home_attempt(attempt)
        graded = home.graded_count if home else 0
        solved = bool(home and home.solved)
        if rule.get("needs_try") and not (graded or solved):
            return False
        if rule.get("needs_done"):
            left = None if self.attempts_allowed is None else self.attempts_allowed - graded
            due = rule.get("done_due")
            past = due is not None and now >= parse_datetime(due)
            if not (solved or left == 0 or past):
                return False
        return True

    def submissions_left(self, attempt: Attempt) -> int | None:
        if self.attempts_allowed is None:
            return None
        return max(0, self.attempts_allowed - attempt.graded_count) if self.home else 0

    def elsewhere_text(self) -> str:
        """`elsewhere` in the learner's language ("" when answers are taken here)."""
        if self.home:
            return ""
        return _elsewhere_words(self.elsewhere_at)

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}


def disclosure(attempt: Attempt, now: datetime | None = None,
               epoch: int | None = None) -> Disclosure:
    """The attempt's current decision: the stored one while nothing it reads has changed,
    else decided again (a few queries) and stored. `epoch`: the counter as the caller read
    it with the attempt (the submission path); otherwise it is read here."""
    cached = getattr(attempt, "_disclosure", None)
    if cached is not None:
        return cached
    now = now or timezone.now()
    if epoch is None:
        epoch = getattr(attempt, "_policy_epoch", None)
    if epoch is None:
        epoch = current_epoch()
    stored = attempt.disclosure or {}
    if stored.get("epoch") == epoch and (
            stored.get("until") is None or now < parse_datetime(stored["until"])):
        try:
            decided = Disclosure(**stored)
        except TypeError:  # stored by an older version of this module
            decided = decide(attempt, now, epoch)
    else:
        decided = decide(attempt, now, epoch)
    attempt._disclosure = decided
    return decided


def decide(attempt: Attempt, now: datetime, epoch: int) -> Disclosure:
    """Decide afresh and store the decision on the attempt."""
    own = Place.of_attempt(attempt)
    places = [own, *other_places(attempt, now)]
    running = [p for p in places if not p.past_due(now)]
    strictest = max(running or [own], key=Place.strictness)
    home = strictest is own
    governing = running if own in running else [own, *running]
    decided = Disclosure(
        home=home,
        elsewhere="" if home else _elsewhere(own, strictest),
        elsewhere_at={} if home else _elsewhere_at(own, strictest),
        correctness_at=_correctness_at(governing),
        solution=_solution_rule(governing),
        hint_level=min(p.quiz.hint_level if p.quiz else PRACTICE_HINT_LEVEL
                       for p in governing),
        step_through=_step_through(governing),
        attempts_allowed=_strictest_limit(governing),
        until=_until(places, now),
        epoch=epoch,
    )
    Attempt.objects.filter(pk=attempt.pk).update(disclosure=decided.as_dict())
    attempt.disclosure = decided.as_dict()
    return decided


def _elsewhere_at(own: Place, home: Place) -> dict:
    if own.quiz is not None and own.quiz.pk == home.quiz.pk:
        return {"item": home.item.position}
    return {"quiz": home.quiz.title}


def _elsewhere(own: Place, home: Place) -> str:
    with translation.override(None):  # stored with the decision: in English
        return _elsewhere_words(_elsewhere_at(own, home))


def _elsewhere_words(at: dict) -> str:
    if "item" in at:
        return gettext("These numbers are also item {position} of this quiz: answers for them "
                       "are taken there.").format(position=at["item"])
    return gettext("These numbers are also in the quiz “{title}”, which is still running: "
                   "answers for them are taken there.").format(title=at.get("quiz", ""))


def other_places(attempt: Attempt, now: datetime) -> list[Place]:
    """Every quiz item, other than the attempt's own, in a quiz of the learner's courses
    that is not past due and would give them the attempt's very numbers."""
    from . import services  # services imports this module: resolve at call time

    variant = attempt.variant
    learner = attempt.learner
    items = QuizItem.objects.filter(
        quiz__course__learners=learner).exclude(pk=attempt.item_id).filter(
        _running(now)).select_related("quiz", "exercise", "pool_tag")
    items = items.filter(_may_draw(attempt.exercise))
    places = []
    for item in items:
        exercise = item.exercise or services.pool_exercise(item, learner)
        if exercise.pk != variant.exercise_id:
            continue
        seed, perturbed = services.item_seed(exercise, learner.pk, item)
        if (seed, perturbed) == (variant.seed, variant.perturbed):
            places.append(Place.of_item(item, learner.pk))
    return places


def _running(now):
    return Q(quiz__due_at__isnull=True) | Q(quiz__due_at__gt=now)


def _may_draw(exercise: Exercise):
    """Items that are this exercise, or pools it is in (pools draw from the quiz's course
    and the shared exercises)."""
    pools = Q(pool_tag__in=exercise.tags.all())
    if exercise.course_id is not None:
        pools &= Q(quiz__course_id=exercise.course_id)
    return Q(exercise=exercise) | pools


def _correctness_at(places: list[Place]) -> str | None:
    latest = None
    for place in places:
        quiz = place.quiz
        if quiz is None or quiz.show_correctness == Reveal.IMMEDIATELY:
            continue
        if quiz.show_correctness == Reveal.NEVER or place.due_at is None:
            return NEVER
        latest = max(latest, place.due_at) if latest else place.due_at
    return latest.isoformat() if latest else None


def _solution_rule(places: list[Place]) -> dict:
    rule: dict = {}
    for place in places:
        quiz = place.quiz
        setting = quiz.show_solution if quiz else Reveal.IMMEDIATELY
        due_at = place.due_at  # the learner's own (an accommodation may move it)
        if setting == Reveal.NEVER or (setting == Reveal.AFTER_DUE and due_at is None):
            return {"never": True}
        if setting == Reveal.IMMEDIATELY:
            rule["needs_try"] = True
        elif setting == Reveal.AFTER_DUE:
            rule["after_due"] = _later(rule.get("after_due"), due_at)
        else:
            # Several "after the last attempt" places: done, or past the latest due date
            # (a place without one is only ever satisfied by "done").
            due = None if due_at is None or rule.get("done_forever") else _later(
                rule.get("done_due"), due_at)
            if due_at is None:
                rule["done_forever"] = True
            rule.update(needs_done=True, done_due=due)
    rule.pop("done_forever", None)
    return rule


def _later(stored: str | None, when: datetime) -> str:
    if stored is None:
        return when.isoformat()
    return max(parse_datetime(stored), when).isoformat()


def _strictest_limit(places: list[Place]) -> int | None:
    limits = [p.attempts_allowed for p in places if p.attempts_allowed is not None]
    return min(limits) if limits else None


def _step_through(places: list[Place]) -> bool:
    """A step check is a verdict that costs nothing: offered only where graded tries cost
    nothing either (no limit, no retry penalty) and verdicts are shown at once."""
    for place in places:
        quiz = place.quiz
        if quiz is None:
            continue
        if not quiz.step_through or quiz.attempts_allowed is not None or (
                quiz.retry_penalty > 0 or quiz.show_correctness != Reveal.IMMEDIATELY):
            return False
    return True


def _until(places: list[Place], now: datetime) -> str | None:
    future = [p.due_at for p in places if p.due_at is not None and p.due_at > now]
    return min(future).isoformat() if future else None


def _home_attempt(attempt: Attempt) -> Attempt | None:
    """The learner's attempt at the place that takes these numbers' answers, if any."""
    candidates = Attempt.objects.filter(learner_id=attempt.learner_id,
                                        variant_id=attempt.variant_id).exclude(pk=attempt.pk)
    for other in candidates.select_related("item__quiz", "variant", "exercise"):
        if disclosure(other).home:
            return other
    return None


# -- the epoch ---------------------------------------------------------------------------
_memo = threading.local()  # the epoch as read once per request (a page lists many attempts)


def current_epoch() -> int:
    value = getattr(_memo, "epoch", None)
    if value is None:
        value = PolicyEpoch.objects.filter(pk=1).values_list("value", flat=True).first() or 0
        if getattr(_memo, "in_request", False):
            _memo.epoch = value
    return value


def _request_started(**kwargs):
    _memo.epoch, _memo.in_request = None, True


def _request_finished(**kwargs):
    _memo.epoch, _memo.in_request = None, False


request_started.connect(_request_started, dispatch_uid="disclosure-epoch-start")
request_finished.connect(_request_finished, dispatch_uid="disclosure-epoch-end")


def bump_epoch() -> None:
    """Something a decision reads has changed: every stored decision is decided again on
    its next use."""
    if not PolicyEpoch.objects.filter(pk=1).update(value=F("value") + 1):
        PolicyEpoch.objects.get_or_create(pk=1, defaults={"value": 1})
    _memo.epoch = None  # this request reads the new count

