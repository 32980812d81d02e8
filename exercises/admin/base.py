"""Who may do what in the admin: instructors (staff users) work on their own courses only.

Django's model permissions would need setting up for every new instructor; instead these
mixins grant a staff instructor the rights on objects of courses they teach (superusers
keep everything), so a new instructor works as soon as they are made staff.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext

from .. import selectors
from ..models import Course


def is_staff_instructor(user) -> bool:
    return bool(user.is_active and user.is_staff)


class CourseScopedMixin:
    """For a ModelAdmin or an inline whose objects belong to a course.

    `course_lookups` are the paths from the model to its Course; an object is in scope if
    any of them reaches a course the user teaches. `shared_lookup` names the path that may
    be empty for a shared object (an exercise without a course), which staff may manage.
    """

    course_lookups: tuple[str, ...] = ("course",)
    shared_lookup: str | None = None
    read_only = False  # records (submissions, regrades…) are never edited here

    def scope(self, queryset, user):
        if user.is_superuser:
            return queryset
        courses = selectors.taught_courses(user)
        condition = Q(pk__in=[])
        for lookup in self.course_lookups:
            condition |= Q(**{f"{lookup}__in": courses})
        if self.shared_lookup and user.is_staff:
            condition |= Q(**{f"{self.shared_lookup}__isnull": True})
        return queryset.filter(condition)

    def in_scope(self, request, obj) -> bool:
        if request.user.is_superuser:
            return True
        if obj is None:
            return is_staff_instructor(request.user)
        return remembered(request, (type(obj)._meta.label, obj.pk), lambda: self.scope(
            type(obj)._default_manager.filter(pk=obj.pk), request.user).exists())

    # -- permissions: staff instructors on objects of the courses they teach ------------
    def has_module_permission(self, request):
        return is_staff_instructor(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.in_scope(request, obj)

    def has_add_permission(self, request, *args):
        return not self.read_only and self.in_scope(request, None)

    def has_change_permission(self, request, obj=None):
        return not self.read_only and self.in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self.read_only and self.in_scope(request, obj)


def name_widget(widget, name: str, cell: bool) -> None:
    """An accessible name for inputs Django's admin leaves without a label: the two boxes of
    a split date and time (their "Date:"/"Time:" is plain text, and the field's label points
    at neither) and, in a tabular inline, every cell's input (a column header is no label)."""
    inner = getattr(widget, "widget", widget)  # inside RelatedFieldWidgetWrapper's links
    if isinstance(inner, forms.SplitDateTimeWidget):
        for part, word in zip(inner.widgets, (gettext("Date:"), gettext("Time:")), strict=True):
            part.attrs.setdefault("aria-label", f"{name}: {word.rstrip(':')}")
    elif cell and not isinstance(inner, forms.HiddenInput):
        inner.attrs.setdefault("aria-label", name)


class NamedWidgets:
    """Names every input of the admin's forms and inlines (`name_widget`), and a tabular
    inline's "Delete?" checkboxes, which Django renders without their label."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if not isinstance(self, admin.TabularInline):
            return formset

        class Named(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                if "DELETE" in form.fields:
                    form.fields["DELETE"].widget.attrs.setdefault("aria-label",
                                                                  gettext("Delete"))

        Named.__name__ = formset.__name__
        return Named

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            name_widget(field.widget, str(field.label or db_field.verbose_name).capitalize(),
                        cell=isinstance(self, admin.TabularInline))
        return field


class ScopedAdmin(NamedWidgets, CourseScopedMixin, admin.ModelAdmin):
    def get_queryset(self, request):
        return self.scope(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.read_only:
            actions.pop("delete_selected", None)
        return actions


class ScopedInline(NamedWidgets, CourseScopedMixin):
    """Inlines are checked against their parent object (the quiz being edited)."""

    def in_scope(self, request, obj) -> bool:
        if request.user.is_superuser:
            return True
        if obj is None:
            return is_staff_instructor(request.user)
        return remembered(request, ("teaches", obj.course_id),
                          lambda: selectors.teaches(request.user, obj.course))

    def has_add_permission(self, request, obj=None):
        return not self.read_only and self.in_scope(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def remembered(request, key, check) -> bool:
    """A permission answer, asked once per request (the admin asks the same one often)."""
    cache = request.__dict__.setdefault("_scope_answers", {})
    if key not in cache:
        cache[key] = check()
    return cache[key]


def limit_choices(db_field, request, kwargs) -> None:
    """Course and exercise choices: only what the user teaches (or may manage)."""
    user = request.user
    if db_field.related_model is Course:
        kwargs["queryset"] = selectors.taught_courses(user)
    elif db_field.name == "exercise":
        kwargs["queryset"] = selectors.managed_exercises(user).select_related("course")
