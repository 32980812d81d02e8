"""The submission hot path's three statements: read and lock a learner's own attempt
(with its exercise and quiz, in one query), insert the submission, update the attempt.

In a quiz's last minute these run hundreds of times a second, and the ORM spends longer
building each query than the database spends answering it (bench/RESULTS.md). So the SQL is
put together once per process from the models' own metadata (tables, columns, the backend's
converters and value preparation: nothing is spelled twice) and each call only binds values.
The instances read are ordinary model instances, as the ORM would build them. Only
services.py calls these, inside its transaction.
"""

from __future__ import annotations

from django.db import connection

from .models import Attempt, Exercise, Quiz, QuizItem, Submission, Variant

_JOINS = (  # model, alias, how it is joined to the attempt
    (Attempt, "a", ""),
    (Exercise, "e", "JOIN {table} e ON e.id = a.exercise_id"),
    (QuizItem, "i", "LEFT JOIN {table} i ON i.id = a.item_id"),
    (Quiz, "q", "LEFT JOIN {table} q ON q.id = i.quiz_id"),
)
# The variant's solution is large and frozen: the grader keeps it prepared per process
# (services.prepared), so only these columns come along; the rest loads on first use.
_VARIANT_FIELDS = ("id", "exercise_id", "seed", "created_at")


class _Reader:
    """One model's columns in the joined row, with the converters the ORM would apply."""

    def __init__(self, model, alias: str, names: tuple[str, ...] | None = None):
        fields = [f for f in model._meta.concrete_fields
                  if names is None or f.attname in names]
        self.model = model
        self.names = [f.attname for f in fields]
        quote = connection.ops.quote_name
        self.columns = [f"{alias}.{quote(f.column)}" for f in fields]
        self.converters = []
        for f in fields:
            col = f.get_col(alias)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            self.converters.append((found, col))

    def build(self, row: tuple, start: int):
        values = list(row[start:start + len(self.names)])
        for k, (converters, col) in enumerate(self.converters):
            for convert in converters:
                values[k] = convert(values[k], col, connection)
        if values[0] is None:  # the outer join found nothing (practice: no quiz)
            return None
        return self.model.from_db(connection.alias, self.names, values)


_compiled: dict[str, tuple[str, list[_Reader]]] = {}


def _query() -> tuple[str, list[_Reader]]:
    key = connection.vendor
    if key not in _compiled:
        readers = [_Reader(model, alias) for model, alias, _ in _JOINS]
        readers.append(_Reader(Variant, "v", _VARIANT_FIELDS))
        joins = [join.format(table=connection.ops.quote_name(model._meta.db_table))
                 for model, _, join in _JOINS[1:]]
        joins.append(f"JOIN {connection.ops.quote_name(Variant._meta.db_table)} v "
                     "ON v.id = a.variant_id")
        # Only the attempt's row is locked; SQLite has no row locks (it serialises writers).
        lock = " FOR UPDATE OF a" if connection.features.has_select_for_update_of else ""
        sql = (f"SELECT {', '.join(c for r in readers for c in r.columns)} "
               f"FROM {connection.ops.quote_name(Attempt._meta.db_table)} a "
               f"{' '.join(joins)} WHERE a.id = %s AND a.learner_id = %s{lock}")
        _compiled[key] = sql, readers
    return _compiled[key]


def lock_own_attempt(attempt_id: int, learner_id: int) -> Attempt | None:
    """The learner's attempt with its exercise, quiz item, quiz and variant (its solution
    deferred), locked until the transaction ends; None if it is not theirs. Call inside
    `transaction.atomic()`."""
    sql, readers = _query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [attempt_id, learner_id])
        row = cursor.fetchone()
    if row is None:
        return None
    built, start = [], 0
    for reader in readers:
        built.append(reader.build(row, start))
        start += len(reader.names)
    attempt, exercise, item, quiz, variant = built
    attempt.exercise = exercise
    attempt.variant = variant
    if item is not None:
        item.quiz = quiz
        attempt.item = item
    return attempt


_SUBMISSION_FIELDS = [f for f in Submission._meta.concrete_fields if not f.primary_key]
_ATTEMPT_COUNTERS = [Attempt._meta.get_field(name)
                     for name in ("graded_count", "best_score", "solved", "updated_at")]


def insert_submission(submission: Submission) -> Submission:
    """INSERT a new submission (what `save()` does for a new row, less the query building)
    and set its id. Submissions are append-only: there is no matching update."""
    quote = connection.ops.quote_name
    fields = _SUBMISSION_FIELDS
    values = [f.get_db_prep_save(f.pre_save(submission, True), connection) for f in fields]
    sql = (f"INSERT INTO {quote(Submission._meta.db_table)} "
           f"({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(sql + f" RETURNING {quote(Submission._meta.pk.column)}", values)
            submission.pk = cursor.fetchone()[0]
        else:
            cursor.execute(sql, values)
            submission.pk = cursor.lastrowid
    submission._state.adding = False
    submission._state.db = connection.alias
    return submission


def update_counters(attempt: Attempt) -> None:
    """Store the attempt's graded_count, best_score, solved and updated_at."""
    quote = connection.ops.quote_name
    fields = _ATTEMPT_COUNTERS
    values = [f.get_db_prep_save(getattr(attempt, f.attname), connection) for f in fields]
    sql = (f"UPDATE {quote(Attempt._meta.db_table)} "
           f"SET {', '.join(f'{quote(f.column)} = %s' for f in fields)} "
           f"WHERE {quote(Attempt._meta.pk.column)} = %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, attempt.pk])
