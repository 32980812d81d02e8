"""Exports of the bank to other systems and the project's own JSON bank (and its import).

Every exporter is a pure function from model instances to bytes: `export(fmt, quizzes=…)`
or `export(fmt, exercises=…)` is the one way the command and the admin ask for a file.
Only `importing` writes (through services). What each format loses is in the README
("Exports").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from . import bank


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    content_type: str


def _json(quizzes, exercises) -> bytes:
    data = (bank.bank_for_quizzes(quizzes) if quizzes is not None
            else bank.bank_for_exercises(exercises))
    return bank.to_bytes(data)


def _qti(quizzes, exercises) -> bytes:
    from . import qti  # lxml is loaded only for the formats that need it

    if quizzes is not None:
        return qti.package_for_quizzes(quizzes)
    return qti.package_for_exercises(exercises)


def _moodle(quizzes, exercises) -> bytes:
    from . import moodle

    if quizzes is not None:
        return moodle.xml_for_quizzes(quizzes)
    return moodle.xml_for_exercises(exercises)


# format → (writer, file extension, content type)
FORMATS = {
    "json": (_json, "json", "application/json"),
    "qti": (_qti, "zip", "application/zip"),
    "moodle": (_moodle, "xml", "application/xml"),
}


def export(fmt: str, *, quizzes: Iterable | None = None, exercises: Iterable | None = None,
           name: str = "bank") -> Export:
    """The export of some quizzes (their exercises included) or of some exercises."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    if (quizzes is None) == (exercises is None):
        raise ValueError("export quizzes or exercises, not both")
    writer, extension, content_type = FORMATS[fmt]
    quizzes = list(quizzes) if quizzes is not None else None
    exercises = list(exercises) if exercises is not None else None
    return Export(writer(quizzes, exercises), f"{name}.{extension}", content_type)
