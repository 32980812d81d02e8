"""Item analysis, as Moodle's quiz statistics report defines it, computed in SQL.

Reads only (no writes but the cache's, no permissions: the callers check who may see a
quiz's statistics). The database does the work over the attempts and submissions, and
Python only turns a handful of sums per item into the figures, so the cost grows with the
class in SQL, not in a Python loop over every submission. What SQL returns is kept in the
cache under a version of each item's attempts (_VERSIONS_SQL: one cheap aggregate of the
attempts), so a page read again reads no submission, and after a submission only its
item's figures are made again. The version moves with what the submission path already
writes (graded_count, best_score, updated_at). What went wrong at each node is grouped on
the attempts, not the submissions: each attempt keeps integer keys of its graded
submissions' marks (exercises.attempt_marks), set in the statement that stores a
submission, and only one attempt of each group has its submissions read.

Who counts: every learner with at least one graded submission in the quiz. Their score on
an item is their best score there (an instructor's override instead, where set), 0..1;
an item they never answered scores 0, as an unanswered question does in Moodle. Marks are
score × the item's points.

Per item (N learners, x their item scores, X' = their marks on the rest of the quiz):
- facility: the mean of x; sd: its sample standard deviation (N − 1), both 0..1;
- discrimination_index: 100 × the correlation of the item's marks with X';
- discrimination_efficiency: 100 × cov(x, X') / the largest covariance the same values
  could have (x and X' each sorted, then paired), Moodle's "discriminative efficiency";
- discrimination_27: the classical index, the mean x of the top 27 % of learners by total
  mark minus that of the bottom 27 % (round(0.27 N) learners each, at least one; ties
  broken by learner id);
- n: N. Per quiz, cronbach_alpha: k/(k − 1) · (1 − Σ var(item marks) / var(total marks)).
Figures that need a spread where there is none (one learner, a constant score) are None.

Per node of an item, over the learners with a graded submission there: the share correct
in their first graded submission and in their best one (highest score, earliest on a tie).
A submission counts as graded now: by its latest regrade where it has one (Regrade.latest).
Misconceptions count every graded submission's diagnoses, so a first-attempt mistake
counts though it was fixed later; a diagnosis the grader marked ambiguous is counted apart.
"""

from __future__ import annotations

import hashlib
import logging
import math

from django.core.cache import cache
from django.db import connection, transaction

from .models import Attempt, Quiz, QuizItem, Regrade, Submission

FULL = Submission.Kind.FULL.value
logger = logging.getLogger(__name__)


def _tables() -> dict:
    quote = connection.ops.quote_name
    return {"attempt": quote(Attempt._meta.db_table), "item": quote(QuizItem._meta.db_table),
            "submission": quote(Submission._meta.db_table),
            "regrade": quote(Regrade._meta.db_table)}


# One row per item: n and the sums the figures are made of.
_ITEM_SQL = """
WITH learners AS (
    SELECT DISTINCT a.learner_id FROM {attempt} a JOIN {item} i ON i.id = a.item_id
    WHERE i.quiz_id = %(quiz)s AND a.graded_count > 0),
items AS (SELECT id, points FROM {item} WHERE quiz_id = %(quiz)s),
scores AS (
    SELECT l.learner_id, it.id AS item_id, it.points,
           COALESCE(a.override_score, a.best_score, 0.0) AS x
    FROM learners l CROSS JOIN items it
    LEFT JOIN {attempt} a ON a.learner_id = l.learner_id AND a.item_id = it.id),
totals AS (SELECT learner_id, SUM(points * x) AS total FROM scores GROUP BY learner_id),
size AS (SELECT COUNT(*) AS n FROM learners),
ranked AS (
    SELECT s.item_id, s.x, t.total - s.points * s.x AS rest,
           ROW_NUMBER() OVER (PARTITION BY s.item_id ORDER BY t.total DESC, s.learner_id)
               AS from_top,
           ROW_NUMBER() OVER (PARTITION BY s.item_id ORDER BY t.total, s.learner_id DESC)
               AS from_bottom,
           ROW_NUMBER() OVER (PARTITION BY s.item_id ORDER BY s.x, s.learner_id) AS by_x,
           ROW_NUMBER() OVER (PARTITION BY s.item_id ORDER BY t.total - s.points * s.x,
                              s.learner_id) AS by_rest
    FROM scores s JOIN totals t ON t.learner_id = s.learner_id),
paired AS (
    SELECT p.item_id, SUM(p.x * q.rest) AS sorted_x_rest
    FROM ranked p JOIN ranked q ON q.item_id = p.item_id AND q.by_rest = p.by_x
    GROUP BY p.item_id),
groups AS (SELECT CASE WHEN CAST(0.27 * n + 0.5 AS INTEGER) < 1 THEN 1
                       ELSE CAST(0.27 * n + 0.5 AS INTEGER) END AS g FROM size)
SELECT r.item_id, COUNT(*), SUM(r.x), SUM(r.x * r.x), SUM(r.rest), SUM(r.rest * r.rest),
       SUM(r.x * r.rest), MAX(pr.sorted_x_rest),
       AVG(CASE WHEN r.from_top <= g.g THEN r.x END),
       AVG(CASE WHEN r.from_bottom <= g.g THEN r.x END)
FROM ranked r CROSS JOIN groups g JOIN paired pr ON pr.item_id = r.item_id
GROUP BY r.item_id
"""

_TOTALS_SQL = """
WITH learners AS (
    SELECT DISTINCT a.learner_id FROM {attempt} a JOIN {item} i ON i.id = a.item_id
    WHERE i.quiz_id = %(quiz)s AND a.graded_count > 0),
totals AS (
    SELECT l.learner_id, SUM(COALESCE(a.override_score, a.best_score, 0.0) * i.points) AS t
    FROM learners l JOIN {item} i ON i.quiz_id = %(quiz)s
    LEFT JOIN {attempt} a ON a.learner_id = l.learner_id AND a.item_id = i.id
    GROUP BY l.learner_id)
SELECT COUNT(*), SUM(t), SUM(t * t) FROM totals
"""

def marks_of(result: dict) -> list:
    """A result's verdicts in brief (Submission.marks): [node, correct, code, ambiguous]."""
    return [[name, int(bool(node.get("correct"))), node.get("misconception") or None,
             int(bool(node.get("ambiguous")))]
            for name, node in result.get("nodes", {}).items()]


# JSON differs by database: reading a submission's marks ([[node, correct, code,
# ambiguous], …]).
_JSON = {
    "postgresql": {"kind_nodes": "jsonb_array_elements(k.marks) AS n(value)",
                   "history_nodes": "jsonb_array_elements(m.marks) AS n(value)",
                   "node": "n.value ->> 0",
                   "correct": "(n.value ->> 1) = '1'",
                   "code": "n.value ->> 2",
                   "ambiguous": "(n.value ->> 3) = '1'"},
    "sqlite": {"kind_nodes": "json_each(k.marks) AS n",
               "history_nodes": "json_each(m.marks) AS n",
               "node": "json_extract(n.value, '$[0]')",
               "correct": "json_extract(n.value, '$[1]') = 1",
               "code": "json_extract(n.value, '$[2]')",
               "ambiguous": "json_extract(n.value, '$[3]') = 1"},
}

# Every attempt with a graded submission, grouped by the keys it keeps of its first marks,
# its best marks and its whole history (exercises.attempt_marks): the attempts of an item
# that share a first (or a best) marks, and those that share a history, are counted, and
# only one attempt of each group (its representative) has its submissions read (as graded
# now: by their latest regrade where they have one) and their marks unpacked into nodes.
# Per node how many learners were correct in their first and in their best submission
# ("s" rows), and per node and code how many submissions made that mistake (each
# history's mistakes × its attempts) and how many learners (a mistake once per history)
# ("m" rows).
_DIAGNOSES_SQL = """
WITH attempts AS (
    SELECT a.id, a.item_id, a.analysis_first_key AS first_key,
           a.analysis_best_key AS best_key, a.analysis_history_key AS history_key
    FROM {attempt} a JOIN {item} i ON i.id = a.item_id
    WHERE i.quiz_id = %(quiz)s AND a.analysis_history_key <> 0 {only}),
groups AS (
    SELECT item_id, MIN(id) AS rep, COUNT(*) AS firsts, 0 AS bests FROM attempts
    GROUP BY item_id, first_key
    UNION ALL
    SELECT item_id, MIN(id), 0, COUNT(*) FROM attempts GROUP BY item_id, best_key),
histories AS (
    SELECT item_id, COUNT(*) AS n, MIN(id) AS rep, ROW_NUMBER() OVER () AS history
    FROM attempts GROUP BY item_id, history_key),
reps AS (SELECT rep FROM groups UNION SELECT rep FROM histories),
rep_marks AS (
    SELECT s.attempt_id, COALESCE(r.marks, s.marks) AS marks,
           ROW_NUMBER() OVER (PARTITION BY s.attempt_id ORDER BY s.created_at, s.id) - 1
               AS position
    FROM reps JOIN {submission} s ON s.attempt_id = reps.rep
    LEFT JOIN {regrade} r ON r.submission_id = s.id AND r.latest
    WHERE s.kind = %(full)s AND s.counted),
kinds AS (
    SELECT g.item_id, g.firsts, g.bests, m.marks
    FROM groups g JOIN {attempt} a ON a.id = g.rep
    JOIN rep_marks m ON m.attempt_id = g.rep
        AND m.position = CASE WHEN g.firsts > 0 THEN 0 ELSE a.analysis_best_at END),
attempted AS (SELECT item_id, COUNT(*) AS n FROM attempts GROUP BY item_id),
shares AS (
    SELECT k.item_id, {node} AS node,
           SUM(CASE WHEN {correct} THEN k.firsts ELSE 0 END) AS first,
           SUM(CASE WHEN {correct} THEN k.bests ELSE 0 END) AS best
    FROM kinds k, {kind_nodes}
    GROUP BY k.item_id, {node}),
made AS (
    SELECT h.item_id, h.history, h.n, {node} AS node, {code} AS code,
           CASE WHEN {ambiguous} THEN 1 ELSE 0 END AS ambiguous
    FROM histories h JOIN rep_marks m ON m.attempt_id = h.rep, {history_nodes}
    WHERE {code} IS NOT NULL),
mistakes AS (
    SELECT item_id, node, code, ambiguous, SUM(n) AS submissions,
           SUM(CASE WHEN times = 1 THEN n ELSE 0 END) AS learners
    FROM (SELECT item_id, node, code, ambiguous, n,
                 ROW_NUMBER() OVER (PARTITION BY history, node, code, ambiguous) AS times
          FROM made) m
    GROUP BY item_id, node, code, ambiguous)
SELECT 's', s.item_id, s.node, NULL, 0, s.first, s.best, t.n
FROM shares s JOIN attempted t ON t.item_id = s.item_id
UNION ALL
SELECT 'm', item_id, node, code, ambiguous, submissions, learners, 0 FROM mistakes
"""


# What each item's figures are made of, in brief: an item's row changes whenever one of its
# attempts does (a counted submission adds to graded_count; a best score, an override, a
# reset change their sums and updated_at), and the newest regrade id whenever any
# submission is regraded. Cheap (the attempts only, no submission, no JSON), so the
# figures themselves are kept in the cache under it and made again only when it moves.
_VERSIONS_SQL = """
SELECT a.item_id, COUNT(*), SUM(a.id), SUM(a.graded_count), SUM(a.best_score),
       SUM(COALESCE(a.override_score, -1.0)), MAX(a.updated_at),
       (SELECT MAX(id) FROM {regrade})
FROM {attempt} a JOIN {item} i ON i.id = a.item_id
WHERE i.quiz_id = %(quiz)s
GROUP BY a.item_id
"""

CACHE_SECONDS = 7 * 24 * 3600  # a key that no longer matches is never read again
CACHE_PREFIX = "item-analysis:1"


def _versions(quiz: Quiz) -> dict[int, str]:
    """Item id → its version (see _VERSIONS_SQL), a digest that can be part of a cache key;
    items nobody has attempted are absent."""
    return {row[0]: _digest(row[1:]) for row in _run(_VERSIONS_SQL, quiz)}


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:32]


def _cache_get(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except Exception:  # noqa: BLE001 - a cache that is down costs time, not the page
        logger.warning("item analysis: cache unavailable", exc_info=True)
        return {}


def _cache_set(values: dict) -> None:
    try:
        cache.set_many(values, CACHE_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("item analysis: cache unavailable", exc_info=True)


def _diagnoses(quiz: Quiz, versions: dict[int, str] | None = None
               ) -> tuple[list[tuple], list[tuple]]:
    """(item, node, first correct, best correct, learners) rows and (item, node, code,
    ambiguous, submissions, learners) rows. Per item from the cache where its version
    still matches; the others in one read of their submissions' marks."""
    versions = _versions(quiz) if versions is None else versions
    keys = {item_id: f"{CACHE_PREFIX}:diagnoses:{item_id}:{version}"
            for item_id, version in versions.items()}
    found = _cache_get(list(keys.values()))
    stale = [item_id for item_id, key in keys.items() if key not in found]
    if stale:
        fresh: dict[int, tuple[list, list]] = {item_id: ([], []) for item_id in stale}
        only = "AND a.item_id IN ({})".format(", ".join(str(int(i)) for i in stale))
        for kind, item_id, node, code, ambiguous, a, b, c in _run(
                _DIAGNOSES_SQL, quiz, only=only, analysis=True):
            a, b, c = int(a), int(b), int(c)  # PostgreSQL's SUM of counts is a numeric
            if kind == "s":
                fresh[item_id][0].append((item_id, node, a, b, c))
            else:
                fresh[item_id][1].append((item_id, node, code, bool(ambiguous), a, b))
        values = {keys[item_id]: rows for item_id, rows in fresh.items()}
        _cache_set(values)
        found.update(values)
    shares, mistakes = [], []
    for key in keys.values():
        item_shares, item_mistakes = found[key]
        shares += item_shares
        mistakes += item_mistakes
    return shares, mistakes


# Memory for one sort of these (instructors' reads, rare): at 2,000 learners the windows
# over every graded submission sort ~30 MB, which PostgreSQL's default 4 MB sent to disk.
WORK_MEM = "64MB"


def _run(sql: str, quiz: Quiz, only: str = "", analysis: bool = False) -> list[tuple]:
    """`analysis`: one of the large aggregates, run without PostgreSQL's JIT. The planner
    takes every jsonb_array_elements call for 100 rows (marks have a handful) and the
    windows over a class for millions, so its cost passes jit_above_cost and PostgreSQL
    compiles the plan first: at 2,000 learners that took 0.65 s of a 1.5 s query. A local
    setting holds until the transaction ends (this one's, or the caller's if there is one).
    And always planned for this quiz's own numbers: the connection prepares a statement it
    has run twice (settings: prepare_threshold), and the generic plan PostgreSQL then
    chose for these, blind to how many attempts the quiz has, took 2.5 s where the plan
    for the values took 0.24 s (bench/course.py at 2,000 learners). Their sorts get
    WORK_MEM."""
    tables = _tables()
    json = _JSON.get(connection.vendor, _JSON["sqlite"])
    text = sql.format(**tables, **json, only=only)
    params = {"quiz": quiz.pk, "full": FULL}
    if not (analysis and connection.vendor == "postgresql"):
        with connection.cursor() as cursor:
            cursor.execute(text, params)
            return cursor.fetchall()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('jit', 'off', true), "  # SET LOCAL, all at once
                       "set_config('plan_cache_mode', 'force_custom_plan', true), "
                       "set_config('work_mem', %(work_mem)s, true)", {"work_mem": WORK_MEM})
        cursor.execute(text, params)
        return cursor.fetchall()


def _ratio(top: float, bottom: float) -> float | None:
    return None if bottom <= 1e-12 else top / bottom


def item_figures(row: tuple) -> dict:
    """Moodle's figures for one item from its sums (see the module docstring)."""
    (_item, n, sx, sxx, sr, srr, sxr, sorted_xr, upper, lower) = row
    if n < 2:
        mean = sx / n if n else None
        return {"n": n, "facility": mean, "sd": None, "discrimination_index": None,
                "discrimination_efficiency": None,
                "discrimination_27": (upper - lower) if n else None}
    var_x = max(0.0, (sxx - sx * sx / n) / (n - 1))
    var_r = max(0.0, (srr - sr * sr / n) / (n - 1))
    cov = (sxr - sx * sr / n) / (n - 1)
    cov_max = (sorted_xr - sx * sr / n) / (n - 1)
    correlation = _ratio(cov, math.sqrt(var_x * var_r))
    efficiency = _ratio(cov, cov_max)
    return {"n": n, "facility": sx / n, "sd": math.sqrt(var_x),
            "discrimination_index": None if correlation is None else 100 * correlation,
            "discrimination_efficiency": None if efficiency is None else 100 * efficiency,
            "discrimination_27": upper - lower}


def quiz_statistics(quiz: Quiz) -> dict:
    """The statistics API's shape: {"cronbach_alpha", "learners", "items": [...]}."""
    items = list(quiz.items.order_by("position", "id"))
    versions = _versions(quiz)
    sums, (learners, total, total_sq) = _figures(quiz, items, versions)
    shares, found_mistakes = _diagnoses(quiz, versions)
    nodes: dict[int, dict] = {}
    for item_id, name, first, best, seen in shares:
        nodes.setdefault(item_id, {})[name] = {"first_correct": first / seen,
                                               "best_correct": best / seen}
    mistakes: dict[int, dict] = {}
    ambiguous: dict[int, dict] = {}
    for item_id, _name, code, is_ambiguous, count, _learners in found_mistakes:
        target = ambiguous if is_ambiguous else mistakes
        codes = target.setdefault(item_id, {})
        codes[code] = codes.get(code, 0) + count
    rows, item_variances = [], 0.0
    for item in items:
        figures = item_figures(sums[item.pk]) if item.pk in sums else {
            "n": 0, "facility": None, "sd": None, "discrimination_index": None,
            "discrimination_efficiency": None, "discrimination_27": None}
        if figures["sd"] is not None:
            item_variances += (item.points * figures["sd"]) ** 2
        rows.append({"item": item.pk, **figures,
                     "nodes": dict(sorted(nodes.get(item.pk, {}).items())),
                     "misconceptions": _by_count(mistakes.get(item.pk, {})),
                     "ambiguous_misconceptions": _by_count(ambiguous.get(item.pk, {}))})
    return {"cronbach_alpha": _alpha(len(items), learners, total or 0.0, total_sq or 0.0,
                                     item_variances),
            "learners": learners, "items": rows}


def _figures(quiz: Quiz, items: list[QuizItem], versions: dict[int, str]):
    """The items' sums and the totals' (_ITEM_SQL, _TOTALS_SQL), kept in the cache under
    every item's version and points (each learner's total is made of all of them)."""
    key = f"{CACHE_PREFIX}:figures:{quiz.pk}:" + _digest(
        (sorted(versions.items()), [(item.pk, item.points) for item in items]))
    kept = _cache_get([key]).get(key)
    if kept is None:
        kept = ({row[0]: row for row in _run(_ITEM_SQL, quiz, analysis=True)},
                _run(_TOTALS_SQL, quiz)[0])
        _cache_set({key: kept})
    return kept


def _alpha(k: int, n: int, total: float, total_sq: float, item_variances: float):
    if k < 2 or n < 2:
        return None
    var_total = (total_sq - total * total / n) / (n - 1)
    if var_total <= 1e-12:
        return None
    return k / (k - 1) * (1 - item_variances / var_total)


def _by_count(codes: dict) -> dict:
    return dict(sorted(codes.items(), key=lambda pair: (-pair[1], pair[0])))


def node_mistakes(quiz: Quiz) -> dict[int, dict]:
    """For the gradebook: item id → {"learners": how many have a graded submission,
    "nodes": {name: {"best_correct": count, "codes": {code: learners who ever made it},
    "ambiguous": {...}}}} (a mistake fixed later still counts). One query."""
    found: dict[int, dict] = {}

    def node(item_id, name) -> dict:
        return found[item_id]["nodes"].setdefault(
            name, {"best_correct": 0, "codes": {}, "ambiguous": {}})

    shares, mistakes = _diagnoses(quiz)
    for item_id, name, _first, best, seen in shares:
        found.setdefault(item_id, {"learners": seen, "nodes": {}})
        node(item_id, name)["best_correct"] = best
    for item_id, name, code, is_ambiguous, _count, learners in mistakes:
        if item_id in found:
            node(item_id, name)["ambiguous" if is_ambiguous else "codes"][code] = learners
    return found
