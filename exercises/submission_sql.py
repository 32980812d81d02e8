"""The submission hot path in SQL: read a learner's own attempt with its exercise and quiz
(one query), then store a submission together with the attempt's new counters (one
statement on PostgreSQL), succeeding only if the counters are still as they were read.

In a quiz's last minute these run hundreds of times a second, and the ORM spends longer
building each query than the database spends answering it, while a transaction held open
across grading costs three more round trips (bench/RESULTS.md). So the SQL is put together
once per process and database from the models' own metadata (tables, columns, the
backend's converters and value preparation: nothing is spelled twice) and each call only
binds values. The instances read are ordinary model instances, as the ORM would build
them. Only services.py calls these.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from . import attempt_marks
from .models import Attempt, Exercise, PolicyEpoch, Quiz, QuizItem, Submission, Variant

# Model, alias, how it is joined to the attempt, and the fields grading and the response
# read (None: all). The others (an exercise's program, the variant's large frozen
# solution, which services.prepared keeps per process) are left deferred: they load on
# first use, as with the ORM's defer(). The policy epoch (one row) says whether the
# disclosure stored on the attempt is still current (exercises.disclosure).
_JOINS = (
    (Attempt, "a", "", None),
    (Exercise, "e", "JOIN {table} e ON e.id = a.exercise_id",
     ("id", "ask", "asked_nodes", "tolerance_rel", "tolerance_abs", "tolerance_sig_figs")),
    (QuizItem, "i", "LEFT JOIN {table} i ON i.id = a.item_id", ("id", "quiz_id")),
    (Quiz, "q", "LEFT JOIN {table} q ON q.id = i.quiz_id",
     ("id", "title", "due_at", "time_limit_minutes", "quiz_time_limit_minutes",
      "attempts_allowed", "retry_penalty", "hint_level", "follow_through_credit",
      "show_correctness", "show_solution", "step_through")),
    (Variant, "v", "JOIN {table} v ON v.id = a.variant_id",
     ("id", "created_at", "exercise_id", "seed", "perturbed")),
    (PolicyEpoch, "pe", "LEFT JOIN {table} pe ON pe.id = 1", ("id", "value")),
)
# What a submission changes on its attempt; COUNTERS are also what must not have changed
# since they were read (a concurrent submission, a reset, or a regrade raising best_score
# or changing the analysis history, whose key moves with anything in it).
COUNTERS = ("graded_count", "best_score", "solved", "analysis_history_key")
CHANGED = (*COUNTERS, "updated_at", *(f for f in attempt_marks.FIELDS if f not in COUNTERS))


class _Reader:
    """One model's columns in the joined row, with the converters the ORM would apply."""

    def __init__(self, db, model, alias: str, names: tuple[str, ...] | None = None):
        fields = [f for f in model._meta.concrete_fields
                  if names is None or f.attname in names]
        self.model = model
        self.names = [f.attname for f in fields]
        quote = db.ops.quote_name
        self.columns = [f"{alias}.{quote(f.column)}" for f in fields]
        self.converters = []  # (position, converters, column) where there are any
        for k, f in enumerate(fields):
            col = f.get_col(alias)
            found = db.ops.get_db_converters(col) + col.get_db_converters(db)
            if found:
                self.converters.append((k, found, col))

    def build(self, db, row: tuple, start: int):
        values = list(row[start:start + len(self.names)])
        if values[0] is None:  # the outer join found nothing (practice: no quiz)
            return None
        for k, converters, col in self.converters:
            for convert in converters:
                values[k] = convert(values[k], col, db)
        return self.model.from_db(db.alias, self.names, values)


class _Statements:
    """The SQL for one database backend, built on first use."""

    def __init__(self, db):
        quote = db.ops.quote_name
        self.readers = [_Reader(db, model, alias, names) for model, alias, _, names in _JOINS]
        joins = [join.format(table=quote(model._meta.db_table))
                 for model, _, join, _ in _JOINS[1:]]
        attempt_table = quote(Attempt._meta.db_table)
        self.read = (f"SELECT {', '.join(c for r in self.readers for c in r.columns)} "
                     f"FROM {attempt_table} a {' '.join(joins)} "
                     "WHERE a.id = %s AND a.learner_id = %s")

        self.submission_fields = [f for f in Submission._meta.concrete_fields
                                  if not f.primary_key]
        columns = ", ".join(quote(f.column) for f in self.submission_fields)
        marks = ", ".join(["%s"] * len(self.submission_fields))
        returning = (f" RETURNING {quote(Submission._meta.pk.column)}"
                     if db.features.can_return_columns_from_insert else "")
        table = quote(Submission._meta.db_table)
        self.insert = f"INSERT INTO {table} ({columns}) VALUES ({marks}){returning}"

        self.counter_fields = [Attempt._meta.get_field(name) for name in CHANGED]
        sets = ", ".join(f"{quote(f.column)} = %s" for f in self.counter_fields)
        unchanged = " AND ".join(f"{quote(f.column)} = %s"
                                 for f in self.counter_fields[:len(COUNTERS)])
        self.bump = (f"UPDATE {attempt_table} SET {sets} "
                     f"WHERE {quote(Attempt._meta.pk.column)} = %s AND {unchanged}")
        # PostgreSQL does both in one statement: the insert happens only if the update
        # matched (the row as read), so nothing is stored when the counters moved on.
        self.bump_and_insert = None
        if db.vendor == "postgresql":
            self.bump_and_insert = (
                f"WITH bumped AS ({self.bump} RETURNING 1) "
                f"INSERT INTO {table} ({columns}) SELECT {marks} FROM bumped{returning}")


_statements: dict[str, _Statements] = {}


def _db():
    """The database and its statements. (The connection itself, not django.db.connection:
    each attribute read through that proxy is a thread-local lookup, and the values
    prepared here read a dozen.)"""
    db = connections[DEFAULT_DB_ALIAS]
    sql = _statements.get(db.vendor)
    if sql is None:
        sql = _statements[db.vendor] = _Statements(db)
    return db, sql


def read_own_attempt(attempt_id: int, learner_id: int) -> Attempt | None:
    """The learner's attempt with its exercise, quiz item, quiz and variant (its solution
    deferred); None if it is not theirs."""
    db, sql = _db()
    with db.cursor() as cursor:
        cursor.execute(sql.read, [attempt_id, learner_id])
        row = cursor.fetchone()
    if row is None:
        return None
    built, start = [], 0
    for reader in sql.readers:
        built.append(reader.build(db, row, start))
        start += len(reader.names)
    attempt, exercise, item, quiz, variant, epoch = built
    attempt.exercise = exercise
    attempt.variant = variant
    attempt._policy_epoch = epoch.value if epoch is not None else 0
    if item is not None:
        item.quiz = quiz
        attempt.item = item
    return attempt


def store(submission: Submission, counters: dict | None = None) -> bool:
    """Insert a new submission and set its id. With `counters` (the attempt's new values of
    CHANGED: graded_count, best_score, solved, updated_at and the analysis fields), store
    those on its attempt too, in the same step, if the attempt's COUNTERS are still as they are on
    `submission.attempt`; False (and nothing stored) if they are not. Submissions are
    append-only: there is no matching update."""
    db, sql = _db()
    values = [f.get_db_prep_save(f.pre_save(submission, True), db)
              for f in sql.submission_fields]
    if counters is None:
        with db.cursor() as cursor:
            stored = _execute_insert(db, cursor, sql.insert, values, submission)
    else:
        attempt = submission.attempt
        bump = [*(f.get_db_prep_save(counters[f.attname], db) for f in sql.counter_fields),
                attempt.pk, *(getattr(attempt, name) for name in COUNTERS)]
        if sql.bump_and_insert:
            with db.cursor() as cursor:
                stored = _execute_insert(db, cursor, sql.bump_and_insert, bump + values,
                                         submission)
        else:
            with transaction.atomic(using=db.alias), db.cursor() as cursor:
                cursor.execute(sql.bump, bump)
                stored = cursor.rowcount == 1 and _execute_insert(db, cursor, sql.insert,
                                                                  values, submission)
    if stored:
        submission._state.adding = False
        submission._state.db = db.alias
    return stored


def _execute_insert(db, cursor, statement: str, values: list, submission: Submission) -> bool:
    cursor.execute(statement, values)
    if db.features.can_return_columns_from_insert:
        row = cursor.fetchone()
        if row is None:
            return False
        submission.pk = row[0]
    else:
        submission.pk = cursor.lastrowid
    return True
