"""Who may call what. Roles: an instructor (staff, or instructor of the course at hand),
a learner (a course member), and an integration token acting for one course.

Objects a caller cannot see answer 404 (the querysets in the views are already limited
to what the caller may see); objects they can see but not change answer 403.
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from .. import selectors
from .authentication import is_integration


class IsPerson(BasePermission):
    """A signed-in user; an integration token may not use this endpoint."""

    message = "An integration token cannot use this endpoint."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated
                    and not is_integration(request))


class IsPersonOrIntegration(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)


class IsInstructorOrIntegration(BasePermission):
    """Staff or an instructor of some course (the view checks which course), or an
    integration token."""

    message = "Only instructors can do this."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return is_integration(request) or selectors.is_instructor(request.user)


class IsInstructor(IsInstructorOrIntegration):
    def has_permission(self, request, view):
        return super().has_permission(request, view) and not is_integration(request)


def manages_course(request, course) -> bool:
    """May this caller provision learners in / read the grades of this course?"""
    if is_integration(request):
        return request.auth.course_id == course.pk
    return selectors.teaches(request.user, course)
