"""`{% lti_sync_status quiz %}`: the gradebook's LMS column — per learner and LTI link, the
latest score recorded for the LMS, its status, the platform's answer, and a resend button."""

from django import template

from lti import grade_sync

register = template.Library()


@register.inclusion_tag("lti/_gradebook_sync.html", takes_context=True)
def lti_sync_status(context, quiz, learner_ids=None):
    """`learner_ids`: only these learners' rows (a gradebook page's), else every learner's."""
    return {"rows": grade_sync.sync_status(quiz, learner_ids),
            "csrf_token": context.get("csrf_token")}
