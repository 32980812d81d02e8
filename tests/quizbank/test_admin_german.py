"""The admin in German (issue #17): every registered model's list and change page, found
through admin.site._registry rather than a list kept by hand, shows the model's plural
name, its columns, and every label of its change form (inlines included) in German, and
our apps' help texts too.

A label counts as German when the German catalogues translate it: the text under German
differs from the English one, or (a word both languages share, "Status", "Quiz") the
catalogues Django merged for German (ours, Django's, the apps') have the English text as a
msgid with a non-empty msgstr. Each German label must also be on the page itself."""

from __future__ import annotations

import functools

import pytest
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.text import capfirst

from exercises import accommodations, overrides, services
from exercises.models import FeedbackRule, IntegrationToken, QuestionTest

from .helpers import BRANCH_ANSWERS, submit


@functools.cache
def german_msgstrs() -> frozenset:
    catalogue = translation.trans_real.translation("de")._catalog
    return frozenset(value for _key, value in catalogue.items() if isinstance(value, str))


def same_in_german(english: str) -> bool:
    """Whether German's msgstr for this text (as written, or before capfirst) is the same
    word: "Status", "Quiz", "ID"."""
    catalogue = translation.trans_real.translation("de")._catalog
    return any((catalogue.get(msgid) or "").lower() == english.lower()
               for msgid in (english, english[:1].lower() + english[1:]))


@pytest.fixture
def every_kind_of_object(superuser, course, quiz, item, exercise, learner):
    """At least one object of every registered model, so each has a change page (the
    records, which cannot be added in the admin, are made the way the site makes them)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from lti_tool.models import Key, LtiContext, LtiDeployment, LtiRegistration, LtiResourceLink
    from rest_framework.authtoken.models import Token

    from lti.models import CourseLink, GradePolicy, QuizLink, ScoreSend

    submit(learner, item, BRANCH_ANSWERS)
    services.regrade_exercise(exercise, reason="check")
    actor = accommodations.Actor.of(superuser)
    accommodations.set_accommodation(learner=learner, course=course, quiz=quiz,
                                     values={"time_multiplier": 1.5}, reason="letter",
                                     actor=actor)
    overrides.override_quiz_score(quiz, learner, score=1.0, reason="oral exam", actor=actor,
                                  confirm=True)
    FeedbackRule.objects.create(exercise=exercise, node="x", expression="upstream * 2",
                                code="doubled", message="Doubled.")
    QuestionTest.objects.create(exercise=exercise, name="right", answers=BRANCH_ANSWERS)
    IntegrationToken.objects.create(course=course, name="LMS")
    Group.objects.create(name="markers")
    Token.objects.create(user=superuser)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        extra = {"failures_since_start": 1} if model is AccessAttempt else {}
        model.objects.create(username="lee", ip_address="127.0.0.1", user_agent="test",
                             path_info="/accounts/login/", **extra)
    Key.objects.generate()
    registration = LtiRegistration.objects.create(
        name="Platform", issuer="https://lms.example", client_id="tool",
        auth_url="https://lms.example/auth", token_url="https://lms.example/token",
        keyset_url="https://lms.example/jwks")
    deployment = LtiDeployment.objects.create(registration=registration, deployment_id="1")
    context = LtiContext.objects.create(deployment=deployment, id_on_platform="ctx")
    resource_link = LtiResourceLink.objects.create(context=context, id_on_platform="rl")
    CourseLink.objects.create(context=context, course=course)
    link = QuizLink.objects.create(resource_link=resource_link, quiz=quiz)
    GradePolicy.objects.create(quiz=quiz)
    ScoreSend.objects.create(link=link, learner=learner, score_given=1, score_maximum=1,
                             activity_progress="Completed", grading_progress="FullyGraded")


OUR_APPS = ("exercises", "lti")
# Labels no gettext ever sees: django-axes names this inline's model without one.
NEVER_TRANSLATABLE = {"access attempt expiration"}


def german(label) -> str:
    """The label in German, after checking that German translates it."""
    if not isinstance(label, Promise) and label in german_msgstrs():
        return label  # put together for this request, so in German already ("Strg-Taste")
    with translation.override("en"):
        english = str(label)
    with translation.override("de"):
        translated = str(label)
    assert translated, english
    if english in NEVER_TRANSLATABLE:
        return translated
    assert translated != english or same_in_german(english), f"not translated: {english!r}"
    return translated


def on_page(text: str, html: str) -> bool:
    return capfirst(text) in html or escape(capfirst(text)) in html


def change_form_texts(context) -> tuple[list, list]:
    """Every label of the change form, its fields' (read-only ones too) and its inlines',
    and every help text."""
    labels, help_texts = [], []
    for fieldset in context["adminform"]:
        if fieldset.name:
            labels.append(fieldset.name)
        for line in fieldset:
            for field in line:
                readonly = isinstance(field.field, dict)
                labels.append(field.field["label"] if readonly else field.field.label)
                help_texts.append(field.field["help_text"] if readonly
                                  else field.field.help_text)
    for inline in context["inline_admin_formsets"]:
        labels.append(inline.opts.verbose_name_plural)
        for column in inline.fields():
            widget = column["widget"]  # a read-only column's is a dict
            hidden = widget["is_hidden"] if isinstance(widget, dict) else widget.is_hidden
            if not hidden:
                labels.append(column["label"])
                help_texts.append(column["help_text"])
    return labels, [text for text in help_texts if text]


def registered():
    return sorted(admin.site._registry.items(), key=lambda pair: pair[0]._meta.label)


@pytest.mark.django_db
def test_every_admin_page_is_german(client, superuser, every_kind_of_object):
    client.force_login(superuser)
    client.cookies["django_language"] = "de"
    checked = 0
    for model, model_admin in registered():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert on_page(german(opts.verbose_name_plural), html), (url, opts.verbose_name_plural)
        for name in page.context["cl"].list_display:
            if name == "action_checkbox":
                continue
            # "__str__" is headed by the model's name, which label_for_field hands back
            # already in the request's language
            label = (opts.verbose_name if name == "__str__"
                     else label_for_field(name, model, model_admin))
            assert on_page(german(label), html), (url, name)
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"no {opts.label} to open"
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert '<html lang="de"' in html
        labels, help_texts = change_form_texts(page.context)
        for label in labels:
            assert on_page(german(label), html), (url, str(label))
            checked += 1
        # Help texts: ours (Django 5.2's own German lacks a few of its newer ones)
        for text in help_texts if opts.app_label in OUR_APPS else ():
            translated = german(text)
            assert translated in html or escape(translated) in html, (url, str(text))
    assert checked > 150
