"""What a verified launch does here: who the person is, which course and quiz it is about,
and where they land. Writes go through `exercises.services` (enrolment) and this module's
own rows; grading, quiz policies and what a learner may see stay in the learner pages.

Accounts: a platform user is matched to a local account by (issuer, sub) only, never by
e-mail. A learner without one gets a new account; an instructor signs in once with their
existing account to link it (`link_account`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext
from lti_tool.models import LtiLaunch, LtiUser

from exercises import services
from exercises.models import Course, Quiz, QuizItem

from .models import CourseLink, DeepLinkRequest, QuizLink
from .tool import LaunchRefused

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


@dataclass
class Landing:
    lti_user: LtiUser
    user: object | None  # None: an instructor who must link their account first
    target: str
    teach_course: Course | None = None


# -- accounts ------------------------------------------------------------------------------
def account_for(lti_user: LtiUser):
    """The local account of a platform user: theirs under any registration of that issuer."""
    if lti_user.auth_user_id:
        return lti_user.auth_user
    linked = LtiUser.objects.filter(
        registration__issuer=lti_user.registration.issuer, sub=lti_user.sub,
        auth_user__isnull=False).select_related("auth_user").first()
    if linked is None:
        return None
    lti_user.auth_user = linked.auth_user
    lti_user.save(update_fields=["auth_user", "datetime_modified"])
    return linked.auth_user


def learner_account(lti_user: LtiUser):
    """The learner's account, made on their first launch (no password: they come in through
    the LMS). The username is derived from (issuer, sub), not from the name or e-mail."""
    user = account_for(lti_user)
    if user is not None:
        return user
    User = get_user_model()
    digest = hashlib.sha256(f"{lti_user.registration.issuer}|{lti_user.sub}".encode())
    base = f"lti-{digest.hexdigest()[:12]}"
    for number in range(100):
        username = base if number == 0 else f"{base}-{number}"
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=username, password=None,
                    first_name=(lti_user.given_name or "")[:150],
                    last_name=(lti_user.family_name or "")[:150])
            break
        except IntegrityError:
            continue
    else:
        raise LaunchRefused(gettext("No account could be made for you here."), status=409)
    lti_user.auth_user = user
    lti_user.save(update_fields=["auth_user", "datetime_modified"])
    return user


def link_account(lti_user: LtiUser, user) -> None:
    """An instructor signed in with their local account: from now on (issuer, sub) is them."""
    if lti_user.auth_user_id and lti_user.auth_user_id != user.pk:
        raise LaunchRefused(gettext("This LMS account is already linked to another account here."),
                            status=403)
    lti_user.auth_user = user
    lti_user.save(update_fields=["auth_user", "datetime_modified"])


# -- roles, course, quiz --------------------------------------------------------------------
def role(lti_launch: LtiLaunch) -> str | None:
    membership = lti_launch.membership
    if membership.is_instructor or membership.is_administrator:
        return "instructor"
    if membership.is_learner:
        return "learner"
    return None


def linked_course(lti_launch: LtiLaunch) -> Course | None:
    link = CourseLink.objects.filter(context=lti_launch.context).select_related(
        "course").first()
    return link.course if link else None


def _custom_id(lti_launch: LtiLaunch, name: str) -> int | None:
    value = str(lti_launch.get_custom_claim(name) or "").strip()
    return int(value) if value.isdigit() else None


def quiz_link(lti_launch: LtiLaunch, course: Course) -> QuizLink:
    """The quiz this resource link opens (from the deep link's custom parameters), which
    must be in the context's course; its line item from the launch's AGS claim."""
    quiz = Quiz.objects.filter(pk=_custom_id(lti_launch, "quiz"), course=course).first()
    if quiz is None:
        raise LaunchRefused(gettext("This link does not open a quiz of the course linked to this "
                            "LMS course. An instructor adds quizzes with Deep Linking "
                            "(the tool's content picker)."), status=404)
    item = None
    if _custom_id(lti_launch, "item") is not None:
        item = QuizItem.objects.filter(pk=_custom_id(lti_launch, "item"), quiz=quiz).first()
        if item is None:
            raise LaunchRefused(gettext("This link opens an item that is no longer in its quiz."),
                                status=404)
    ags = lti_launch.ags_claim or {}
    defaults = {"quiz": quiz, "item": item}
    if ags.get("lineitem"):
        defaults.update(lineitem_url=ags["lineitem"],
                        can_publish_scores=SCORE_SCOPE in ags.get("scope", []))
    link, _ = QuizLink.objects.update_or_create(resource_link=lti_launch.resource_link,
                                                defaults=defaults)
    return link


# -- the launches ----------------------------------------------------------------------------
def resource_launch(lti_launch: LtiLaunch) -> Landing:
    lti_user = lti_launch.user
    who = role(lti_launch)
    course = linked_course(lti_launch)
    if who is None:
        raise LaunchRefused(gettext("Your role in this LMS course is neither instructor nor "
                                    "learner, so there is nothing to open for you here."),
                            status=403)
    if course is None:
        raise LaunchRefused(gettext("This LMS course is not linked to a course here yet. An "
                            "instructor links it by adding a quiz with Deep Linking."),
                            status=404)
    link = quiz_link(lti_launch, course)
    if who == "instructor":
        target = reverse("admin:exercises_quiz_gradebook", args=[link.quiz_id])
        user = account_for(lti_user)
        if user is not None:
            course.instructors.add(user)
        return Landing(lti_user, user, target, teach_course=course)
    user = learner_account(lti_user)
    services.enroll_learner(course, user)
    if link.item_id:
        target = reverse("exercises:item", args=[link.quiz_id, link.item_id])
    else:
        target = reverse("exercises:quiz", args=[link.quiz_id])
    return Landing(lti_user, user, target)


def deep_linking_launch(lti_launch: LtiLaunch) -> Landing:
    if role(lti_launch) != "instructor":
        raise LaunchRefused(gettext("Only an instructor may add quizzes to an LMS course."),
                            status=403)
    settings = lti_launch.get_claim(DL_CLAIM) or {}
    if "ltiResourceLink" not in settings.get("accept_types", []):
        raise LaunchRefused(gettext("This LMS does not accept LTI resource links here."),
                            status=400)
    request = DeepLinkRequest.objects.create(
        lti_user=lti_launch.user, context=lti_launch.context, settings=settings,
        deployment_id=lti_launch.deployment.deployment_id)
    target = reverse("lti:deep_link", args=[request.token])
    return Landing(lti_launch.user, account_for(lti_launch.user), target)


def land(lti_launch: LtiLaunch) -> Landing:
    if lti_launch.is_resource_launch:
        return resource_launch(lti_launch)
    if lti_launch.is_deep_link_launch:
        return deep_linking_launch(lti_launch)
    raise LaunchRefused(gettext("This kind of LTI message is not supported by this tool."),
                        status=400)
