"""Deep Linking: an instructor picks one of their quizzes (or one item of it) by title, and
the LMS gets an `ltiResourceLink` with a line item (label, scoreMaximum = the points).

The first deep link from an LMS context links that context to the chosen quiz's course;
from then on the picker offers that course's quizzes only, and launches from the context
enrol into that course. The response JWT is built and signed by pylti1p3."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Sum
from django.utils import timezone
from django.utils.translation import gettext
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from exercises import selectors
from exercises.models import Quiz, QuizItem

from .models import CourseLink, DeepLinkRequest
from .tool import LaunchRefused, current_key


def _quizzes(user, context):
    link = CourseLink.objects.filter(context=context).first()
    courses = selectors.taught_courses(user)
    if link is not None:
        courses = courses.filter(pk=link.course_id)
    return Quiz.objects.filter(course__in=courses).select_related("course").annotate(
        points=Sum("items__points")).prefetch_related(
        Prefetch("items", queryset=QuizItem.objects.select_related("exercise", "pool_tag")))


def choices(user, context) -> list[dict]:
    """What the picker offers: each quiz, then each of its items, with their points."""
    rows = []
    for quiz in _quizzes(user, context).order_by("course__title", "title", "id"):
        rows.append({"value": f"quiz:{quiz.pk}", "title": quiz.title, "course": quiz.course,
                     "points": quiz.points or 0, "items": [
                         {"value": f"item:{item.pk}", "title": _item_title(item),
                          "points": item.points} for item in quiz.items.all()]})
    return rows


def _item_title(item: QuizItem) -> str:
    return item.exercise.title if item.exercise_id else str(item)


def _chosen(user, context, choice: str) -> tuple[Quiz, QuizItem | None]:
    kind, _, number = choice.partition(":")
    if not number.isdigit() or kind not in ("quiz", "item"):
        raise LaunchRefused(gettext("Pick a quiz or an item from the list."))
    quizzes = _quizzes(user, context)
    if kind == "quiz":
        quiz = quizzes.filter(pk=int(number)).first()
        if quiz is None:
            raise LaunchRefused(gettext("That quiz is not among the ones you may add here."), 403)
        return quiz, None
    item = QuizItem.objects.filter(pk=int(number), quiz__in=quizzes).select_related(
        "quiz", "exercise", "pool_tag").first()
    if item is None:
        raise LaunchRefused(gettext("That item is not among the ones you may add here."), 403)
    return item.quiz, item


def answer(request: DeepLinkRequest, user, choice: str, launch_url: str) -> dict:
    """The signed Deep Linking response and where the browser posts it."""
    quiz, item = _chosen(user, request.context, choice)
    points = item.points if item else sum(i.points for i in quiz.items.all())
    if points <= 0:  # AGS needs a positive scoreMaximum
        raise LaunchRefused(gettext("That has no points to grade: give its items points first."))
    with transaction.atomic():
        answered = DeepLinkRequest.objects.filter(
            pk=request.pk, answered_at__isnull=True).update(answered_at=timezone.now())
        if not answered:
            raise LaunchRefused(gettext("This content picker was answered already."), 409)
        try:
            with transaction.atomic():
                link, _ = CourseLink.objects.get_or_create(
                    context=request.context,
                    defaults={"course": quiz.course, "linked_by": user})
        except IntegrityError:  # linked by a concurrent deep link
            link = CourseLink.objects.get(context=request.context)
        if link.course_id != quiz.course_id:
            raise LaunchRefused(gettext("This LMS course is linked to another course here: pick "
                                        "a quiz of '{course}'.").format(course=link.course), 409)
    title = quiz.title if item is None else f"{quiz.title}: {_item_title(item)}"
    resource_id = f"quiz-{quiz.pk}" + (f"-item-{item.pk}" if item else "")
    line_item = (LineItem().set_label(title[:255]).set_score_maximum(points)
                 .set_resource_id(resource_id).set_tag("backprop-course"))
    custom = {"quiz": str(quiz.pk)}
    if item is not None:
        custom["item"] = str(item.pk)
    resource = (DeepLinkResource().set_url(launch_url).set_title(title[:255])
                .set_custom_params(custom).set_lineitem(line_item))
    current_key()
    registration = request.lti_user.registration.to_registration()
    deep_link = DeepLink(registration, request.deployment_id, request.settings)
    return {"jwt": deep_link.get_response_jwt([resource]),
            "return_url": request.settings["deep_link_return_url"], "title": title}
