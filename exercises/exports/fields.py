"""Which model fields travel in the JSON bank, and how their values are written and read.

Fields are found by iterating the model, not listed by hand, so a field another change
adds to Exercise or Quiz (a kind, a learning rate, a granularity) travels without an edit
here. What never travels: the primary key, relations (a course, an author: they belong to
the server, and the bank carries tags and exercise references in its own shape) and the
timestamps a server stamps itself (auto_now / auto_now_add).

Reading is strict, because a bank file is untrusted text: a value must already have the
JSON type the field stores (no "1.5" for a float, no 1 for a bool); the model's own
validators, choices and lengths are then checked by `full_clean` in `importing`.
"""

from __future__ import annotations

import datetime
import math

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.dateparse import parse_datetime


class BadValue(ValueError):
    """A value in a bank file that its field cannot take (the message says why)."""


def travelling_fields(model) -> list[models.Field]:
    """The concrete, non-relation fields of `model` that a bank carries."""
    return [field for field in model._meta.concrete_fields
            if not field.primary_key and not field.is_relation
            and not getattr(field, "auto_now", False)
            and not getattr(field, "auto_now_add", False)]


def to_plain(field: models.Field, value):
    """A field's value as JSON: datetimes in ISO 8601, everything else as stored."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(field, models.DecimalField):
        return str(value)
    return value


def dump(instance) -> dict:
    return {field.name: to_plain(field, field.value_from_object(instance))
            for field in travelling_fields(type(instance))}


def from_plain(field: models.Field, value):
    """The Python value for `field` from a JSON value, refusing any other JSON type."""
    if value is None:
        if not field.null:
            raise BadValue("may not be null")
        return None
    if isinstance(field, models.BooleanField):
        if not isinstance(value, bool):
            raise BadValue("must be true or false")
        return value
    if isinstance(field, (models.IntegerField, models.AutoField)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise BadValue("must be a whole number")
        return value
    if isinstance(field, models.FloatField):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BadValue("must be a number")
        if not math.isfinite(value):
            raise BadValue("must be a finite number")
        return float(value)
    if isinstance(field, models.DateTimeField):
        if not isinstance(value, str) or len(value) > 40:
            raise BadValue("must be an ISO 8601 date and time")
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            raise BadValue("must be an ISO 8601 date and time with its UTC offset")
        return parsed
    if isinstance(field, models.JSONField):
        return value  # already JSON; what its content may be is the model's to say
    if isinstance(field, (models.CharField, models.TextField)):
        if not isinstance(value, str):
            raise BadValue("must be a string")
        return value
    # A kind of field this module does not know: let the field read it, strictly.
    try:
        return field.to_python(value)
    except ValidationError as exc:
        raise BadValue("; ".join(exc.messages)) from None
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise BadValue(str(exc)) from None
