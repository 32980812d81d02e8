"""Import a JSON bank (`bank.py`'s format) as new objects: the services-level way in.

A bank file is untrusted text from another server. Everything in it is checked before
anything is kept: the file's size, its shape, every value's type (`fields.from_plain`),
the models' own validators (`full_clean`) and every program through the engine's parser
(`services.validate_exercise_source`). A problem raises `BankError` naming the place in
the file ("exercises[2].fields.tolerance_rel: ..."); the import runs in one transaction,
so a refused file leaves nothing behind. Nothing is updated or merged: every exercise,
quiz and item is created anew (tags are shared by name, as everywhere on a server).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from .. import exercise_kinds, services
from ..models import Course, Exercise, Quiz, QuizItem, Tag
from .bank import FORMAT, VERSION
from .fields import BadValue, from_plain, travelling_fields

MAX_BYTES = 5_000_000
MAX_EXERCISES = 1000
MAX_QUIZZES = 200
MAX_ITEMS = 500  # per quiz
MAX_TAGS = 20  # per exercise, as the API allows
MAX_STRING = 50_000  # any one string; the engine bounds programs more tightly
MAX_REF = 40


class BankError(services.ServiceError):
    def __init__(self, where: str, problem: str):
        super().__init__(f"{where}: {problem}" if where else problem, where=where,
                         problem=problem)


@dataclass
class ImportResult:
    exercises: list[Exercise] = field(default_factory=list)
    quizzes: list[Quiz] = field(default_factory=list)


def read_bank(data: bytes | str) -> dict:
    """The bank file as a dict, or BankError: size, encoding, JSON and the top level."""
    size = len(data.encode() if isinstance(data, str) else data)
    if size > MAX_BYTES:
        raise BankError("", f"the file is larger than the limit of {MAX_BYTES} bytes")
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        bank = json.loads(text, parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise BankError("", "the file is not UTF-8 text") from None
    except (ValueError, RecursionError) as exc:
        raise BankError("", f"the file is not JSON ({exc})") from None
    _object(bank, "", required={"format", "version", "exercises", "quizzes"},
            optional={"exported_at"})
    if bank["format"] != FORMAT:
        raise BankError("format", f"must be {FORMAT!r}: this is not a backprop-course bank")
    if bank["version"] != VERSION or isinstance(bank["version"], bool):
        raise BankError("version", f"this server reads version {VERSION} banks")
    if not isinstance(bank.get("exported_at", ""), str) or len(bank.get("exported_at", "")) > 40:
        raise BankError("exported_at", "must be a date and time in ISO 8601")
    _list(bank["exercises"], "exercises", MAX_EXERCISES)
    _list(bank["quizzes"], "quizzes", MAX_QUIZZES)
    return bank


@transaction.atomic
def import_bank(data: bytes | str, *, course: Course | None, author=None) -> ImportResult:
    """Create the bank's exercises (in `course`; shared when None) and quizzes (in
    `course`, which a bank with quizzes needs)."""
    bank = read_bank(data)
    if bank["quizzes"] and course is None:
        raise BankError("quizzes", "a bank with quizzes must be imported into a course")
    result = ImportResult()
    by_ref: dict[str, Exercise] = {}
    for number, entry in enumerate(bank["exercises"]):
        where = f"exercises[{number}]"
        _object(entry, where, required={"ref", "fields"}, optional={"tags"})
        ref = entry["ref"]
        if not isinstance(ref, str) or not 0 < len(ref) <= MAX_REF:
            raise BankError(f"{where}.ref", f"must be a string of 1 to {MAX_REF} characters")
        if ref in by_ref:
            raise BankError(f"{where}.ref", f"{ref!r} is used by an earlier exercise")
        by_ref[ref] = _exercise(entry, where, course, author)
        result.exercises.append(by_ref[ref])
    for number, entry in enumerate(bank["quizzes"]):
        result.quizzes.append(_quiz(entry, f"quizzes[{number}]", course, by_ref))
    return result


def _exercise(entry: dict, where: str, course, author) -> Exercise:
    tags = entry.get("tags", [])
    _list(tags, f"{where}.tags", MAX_TAGS)
    for position, name in enumerate(tags):
        _tag_name(name, f"{where}.tags[{position}]")
    exercise = Exercise(course=course, author=author,
                        **_values(Exercise, entry["fields"], f"{where}.fields"))
    asked = exercise.asked_nodes
    if not isinstance(asked, list) or not all(isinstance(name, str) for name in asked):
        raise BankError(f"{where}.fields.asked_nodes", "must be a list of node names")
    parameters = exercise.parameters
    if not isinstance(parameters, list) or not all(isinstance(n, str) for n in parameters):
        raise BankError(f"{where}.fields.parameters", "must be a list of input names")
    _clean(exercise, f"{where}.fields", exclude=["course", "author"])
    try:
        # The kind's own keys and settings too (edges, η and parameters, the nudge).
        services.validate_exercise_source(exercise.program, exercise.mermaid, asked,
                                          exercise.ask, exercise_kinds.settings_of(exercise))
    except services.ServiceError as exc:
        raise BankError(f"{where}.fields", exc.message) from None
    exercise.save()
    services.set_tags(exercise, tags)
    services.get_or_create_variant(exercise, 0)
    return exercise


def _quiz(entry: dict, where: str, course: Course, by_ref: dict[str, Exercise]) -> Quiz:
    _object(entry, where, required={"fields", "items"})
    quiz = Quiz(course=course, **_values(Quiz, entry["fields"], f"{where}.fields"))
    _clean(quiz, f"{where}.fields", exclude=["course"])
    quiz.save()
    _list(entry["items"], f"{where}.items", MAX_ITEMS)
    for number, item_entry in enumerate(entry["items"]):
        _item(item_entry, f"{where}.items[{number}]", quiz, by_ref)
    return quiz


def _item(entry: dict, where: str, quiz: Quiz, by_ref: dict[str, Exercise]) -> QuizItem:
    _object(entry, where, required={"fields", "exercise", "pool_tag"})
    ref, tag_name = entry["exercise"], entry["pool_tag"]
    if (ref is None) == (tag_name is None):
        raise BankError(where, "an item is either a fixed exercise or a pool: give one "
                               "of 'exercise' and 'pool_tag'")
    exercise = tag = None
    if ref is not None:
        if not isinstance(ref, str) or ref not in by_ref:
            raise BankError(f"{where}.exercise", f"{ref!r} is not the ref of an exercise "
                                                 "in this file")
        exercise = by_ref[ref]
    else:
        tag = Tag.objects.get_or_create(name=_tag_name(tag_name, f"{where}.pool_tag"))[0]
    item = QuizItem(quiz=quiz, exercise=exercise, pool_tag=tag,
                    **_values(QuizItem, entry["fields"], f"{where}.fields"))
    _clean(item, f"{where}.fields", exclude=["quiz", "exercise", "pool_tag"])
    item.save()
    return item


# -- checks ---------------------------------------------------------------------------------
def _values(model, fields: dict, where: str) -> dict:
    """The model field values from a bank entry's `fields`, each of its field's type."""
    _object(fields, where)
    known = {f.name: f for f in travelling_fields(model)}
    unknown = sorted(set(fields) - set(known))
    if unknown:
        raise BankError(f"{where}.{unknown[0]}", f"this server's {model._meta.verbose_name} "
                        f"has no such field (it has: {', '.join(known)})")
    values = {}
    for name, value in fields.items():
        if isinstance(value, str) and len(value) > MAX_STRING:
            raise BankError(f"{where}.{name}", f"longer than {MAX_STRING} characters")
        try:
            values[name] = from_plain(known[name], value)
        except BadValue as exc:
            raise BankError(f"{where}.{name}", str(exc)) from None
    return values


def _clean(instance, where: str, exclude: list[str]) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        problems = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        name, messages = next(iter(sorted(problems.items())))
        raise BankError(f"{where}.{name}" if name and name != "__all__" else where,
                        " ".join(messages)) from None


def _tag_name(name, where: str) -> str:
    if not isinstance(name, str) or not 0 < len(name) <= 50:
        raise BankError(where, "a tag is a string of 1 to 50 characters")
    try:
        validate_slug(name)
    except ValidationError:
        raise BankError(where, f"{name!r} is not a tag (letters, digits, - and _)") from None
    return name.lower()


def _object(value, where: str, required=frozenset(), optional=frozenset()) -> None:
    if not isinstance(value, dict):
        raise BankError(where, "must be an object")
    missing = sorted(set(required) - set(value))
    if missing:
        raise BankError(where, f"missing {', '.join(missing)}")
    if required or optional:
        unknown = sorted(set(value) - set(required) - set(optional))
        if unknown:
            raise BankError(where, f"unknown key(s): {', '.join(unknown)}")


def _list(value, where: str, limit: int) -> None:
    if not isinstance(value, list):
        raise BankError(where, "must be a list")
    if len(value) > limit:
        raise BankError(where, f"has {len(value)} entries; the limit is {limit}")


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")
