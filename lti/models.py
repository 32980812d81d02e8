"""What the LTI tool keeps beside django-lti's models (lti_tool: registrations, deployments,
keys, platform users, contexts, memberships, resource links).

Ours: the OIDC login states (kept server-side, used once), the one-time tickets a launch
hands the browser, which LMS context is which course, which resource link opens which quiz,
the per-quiz rule for when scores go out, and a record of every score sent."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from lti_tool.models import LtiContext, LtiRegistration, LtiResourceLink, LtiUser

from exercises.models import Course, Quiz, QuizItem

User = settings.AUTH_USER_MODEL


def _token() -> str:
    return secrets.token_urlsafe(32)


class LoginState(models.Model):
    """One OIDC login initiation: the state and nonce the platform must send back with its
    id_token. Kept here rather than only in a cookie, so a launch works when the browser
    blocks third-party cookies; used once, so a replayed id_token is refused."""

    state = models.CharField(max_length=100, unique=True)
    nonce = models.CharField(max_length=100)
    registration = models.ForeignKey(LtiRegistration, on_delete=models.CASCADE,
                                     related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("login state")
        verbose_name_plural = _("login states")


class LaunchTicket(models.Model):
    """Where a validated launch sends the browser: a one-time link, so the launch can go
    on in a new window when an iframe may not keep our session cookie, and so an
    instructor not yet known here can sign in once to link their account."""

    token = models.CharField(max_length=64, unique=True, default=_token)
    lti_user = models.ForeignKey(LtiUser, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", help_text=_("Empty until the account is linked."))
    target = models.CharField(max_length=500)
    teach_course = models.ForeignKey(Course, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="+")
    frame_origins = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("launch ticket")
        verbose_name_plural = _("launch tickets")


class CourseLink(models.Model):
    """An LMS context (course) linked to one of ours: by the first deep link made from it."""

    context = models.OneToOneField(LtiContext, verbose_name=_("context"), on_delete=models.CASCADE,
                                   related_name="course_link")
    course = models.ForeignKey(Course, verbose_name=_("course"),
                               on_delete=models.CASCADE, related_name="lti_links")
    linked_by = models.ForeignKey(User, verbose_name=_("linked by"),
                                  on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("course link")
        verbose_name_plural = _("course links")

    def __str__(self):
        return f"{self.context} → {self.course}"


class DeepLinkRequest(models.Model):
    """A platform's Deep Linking request, waiting for the instructor to pick a quiz."""

    token = models.CharField(max_length=64, unique=True, default=_token)
    lti_user = models.ForeignKey(LtiUser, on_delete=models.CASCADE, related_name="+")
    context = models.ForeignKey(LtiContext, on_delete=models.CASCADE, related_name="+")
    deployment_id = models.CharField(max_length=255)
    settings = models.JSONField(help_text=_("The deep_linking_settings claim."))
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("deep link request")
        verbose_name_plural = _("deep link requests")


class QuizLink(models.Model):
    """A resource link placed by Deep Linking: the quiz (or one item) it opens, and the
    platform's line item its scores go to (from the launches' AGS claim)."""

    resource_link = models.OneToOneField(LtiResourceLink, verbose_name=_("resource link"),
                                         on_delete=models.CASCADE,
                                         related_name="quiz_link")
    quiz = models.ForeignKey(Quiz, verbose_name=_("quiz"),
                             on_delete=models.CASCADE, related_name="lti_links")
    item = models.ForeignKey(QuizItem, verbose_name=_("item"),
                             on_delete=models.CASCADE, null=True, blank=True,
                             related_name="lti_links")
    lineitem_url = models.URLField(_("lineitem url"), max_length=500, blank=True)
    can_publish_scores = models.BooleanField(_("can publish scores"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("quiz link")
        verbose_name_plural = _("quiz links")

    def __str__(self):
        return f"{self.resource_link} → {self.item or self.quiz}"


class GradePolicy(models.Model):
    """When a quiz's scores go to the LMS (no row: on every change)."""

    class Send(models.TextChoices):
        ON_CHANGE = "change", _("on every change of a learner's best score")
        AFTER_DUE = "after_due", _("only after the due date")

    quiz = models.OneToOneField(Quiz, verbose_name=_("quiz"),
                                on_delete=models.CASCADE, related_name="lti_policy")
    send = models.CharField(
        _("send"), max_length=10, choices=Send.choices, default=Send.ON_CHANGE)

    class Meta:
        verbose_name = _("LTI grade policy")
        verbose_name_plural = _("LTI grade policies")

    def __str__(self):
        return f"{self.quiz}: {self.get_send_display()}"


class ScoreSend(models.Model):
    """A learner's score for one quiz link: what was (or will be) sent, and the answer."""

    class Status(models.TextChoices):
        HELD = "held", _("held")
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    link = models.ForeignKey(QuizLink, verbose_name=_("link"),
                             on_delete=models.CASCADE, related_name="scores")
    learner = models.ForeignKey(User, verbose_name=_("learner"),
                                on_delete=models.CASCADE, related_name="+")
    score_given = models.FloatField(_("score given"))
    score_maximum = models.FloatField(_("score maximum"))
    activity_progress = models.CharField(_("activity progress"), max_length=20)
    grading_progress = models.CharField(_("grading progress"), max_length=20)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(_("reason"), max_length=200, blank=True,
                              help_text=_("Why it is held."))
    payload = models.JSONField(
        _("payload"), default=dict, blank=True, help_text=_("Exactly what was sent."))
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.TextField(_("response body"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("score send")
        verbose_name_plural = _("score sends")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["link", "learner", "-created_at"])]

    def __str__(self):
        return f"{self.score_given}/{self.score_maximum} for {self.learner} ({self.status})"
