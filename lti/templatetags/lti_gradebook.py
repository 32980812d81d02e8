"""`{% lti_sync_status quiz %}`: the gradebook's LMS column — per learner and LTI link, the
latest score recorded for the LMS, its status, the platform's answer, and a resend button."""

from django import template

from lti import grade_sync

register = template.Library()


@register.inclusion_tag("lti/_gradebook_sync.html", takes_context=True)
def lti_sync_status(context, quiz):
    return {"rows": grade_sync.sync_status(quiz), "csrf_token": context.get("csrf_token")}
