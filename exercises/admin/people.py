"""People in the admin: an instructor sees and picks only the accounts of their own
courses (and those they made), never every account on the site."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .. import selectors
from .base import is_staff_instructor

User = get_user_model()


class CoursePeopleAdmin(UserAdmin):
    """Django's user admin, scoped: superusers see everyone; a staff instructor can look
    up (not edit) the people of the courses they teach, which is what the course form's
    people pickers search."""

    def get_queryset(self, request):
        people = super().get_queryset(request)
        if request.user.is_superuser:
            return people
        return people.filter(pk__in=selectors.users_for(request.user).values("pk"))

    def has_module_permission(self, request):
        return is_staff_instructor(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        if request.user.is_superuser or super().has_view_permission(request, obj):
            return True
        return is_staff_instructor(request.user) and (
            obj is None or selectors.users_for(request.user).filter(pk=obj.pk).exists())


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, CoursePeopleAdmin)
