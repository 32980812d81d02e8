"""Every change the disclosure rule reads bumps the PolicyEpoch, whoever makes it
(quizzes, items, exercises, accommodations, enrolments).

Signals rather than calls in services: quizzes and their items are edited in the admin's
forms and inlines, enrolments through m2m managers, and a missed bump would leave a stale
decision that lets a learner see more than the policy allows. A bump costs one UPDATE,
and these changes are rare (an instructor's edit, an enrolment), never a submission.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from .course_records import Accommodation
from .models import Course, Exercise, Quiz, QuizItem


def _bump(**kwargs):
    if kwargs.get("raw"):  # loading fixtures
        return
    if kwargs.get("action", "post_").startswith("pre_"):
        return
    from .disclosure import bump_epoch

    bump_epoch()


def connect() -> None:
    for model in (Quiz, QuizItem, Exercise, Accommodation):
        post_save.connect(_bump, sender=model, dispatch_uid=f"policy-epoch-save-{model}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"policy-epoch-del-{model}")
    for through in (Course.learners.through, Course.instructors.through,
                    Exercise.tags.through):
        m2m_changed.connect(_bump, sender=through, dispatch_uid=f"policy-epoch-m2m-{through}")
