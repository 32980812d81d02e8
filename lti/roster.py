"""Names and Role Provisioning Services: enrol the members of the LMS contexts linked to a
course. Learners get their account (by issuer and sub, made if new); instructors are added
once they have linked their account (a launch, then signing in once). Nobody is removed:
a member who left keeps their submissions and is simply not enrolled anew."""

from __future__ import annotations

from lti_tool.lti_core.constants import ContextRole
from lti_tool.lti_core.utils import normalize_role
from lti_tool.models import LtiUser
from pylti1p3.exception import LtiException
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from exercises import services
from exercises.models import Course

from .launch import account_for, learner_account
from .models import CourseLink
from .tool import LaunchRefused, TimeoutSession, current_key

INSTRUCTOR_ROLES = {ContextRole.INSTRUCTOR, ContextRole.ADMINISTRATOR}


class RosterError(Exception):
    pass


def fetch_members(context) -> list[dict]:
    current_key()
    registration = context.deployment.registration.to_registration()
    service = NamesRolesProvisioningService(
        ServiceConnector(registration, TimeoutSession()),
        {"context_memberships_url": context.memberships_url})
    try:
        return list(service.get_members())
    except (LtiException, OSError, ValueError) as exc:
        raise RosterError(f"the platform's roster could not be read: {exc}"[:500]) from None


def sync_roster(course: Course) -> dict:
    """Enrol the members of each linked context; counts of what changed."""
    counts = {"contexts": 0, "learners_enrolled": 0, "instructors_added": 0, "skipped": 0}
    links = CourseLink.objects.filter(course=course).select_related(
        "context__deployment__registration")
    for link in links:
        context = link.context
        if not context.memberships_url:
            counts["skipped"] += 1  # no launch has told us the roster's URL yet
            continue
        members = fetch_members(context)
        context.update_memberships(members)  # django-lti: platform users and memberships
        counts["contexts"] += 1
        registration = context.deployment.registration
        for member in members:
            if member.get("status", "Active") != "Active" or not member.get("user_id"):
                continue
            lti_user = LtiUser.objects.select_related("registration").get(
                registration=registration, sub=member["user_id"])
            roles = {normalize_role(role) for role in member.get("roles", [])}
            if roles & INSTRUCTOR_ROLES:
                user = account_for(lti_user)
                if user is not None and not course.instructors.filter(pk=user.pk).exists():
                    course.instructors.add(user)
                    counts["instructors_added"] += 1
            elif ContextRole.LEARNER in roles:
                try:
                    user = learner_account(lti_user)
                except LaunchRefused:
                    continue
                counts["learners_enrolled"] += services.enroll_learner(course, user)
    return counts
