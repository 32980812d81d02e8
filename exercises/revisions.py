"""An exercise's revision history: every saved version of its program (django-simple-history
keeps them in HistoricalExercise), with who saved it, when, and the diff from the one
before. Reads only; the versions are written by the model's history on every save."""

from __future__ import annotations

import difflib

from .models import Exercise


def current_id(exercise: Exercise) -> int | None:
    """The id of the exercise's latest version (what a new variant is solved from)."""
    return exercise.history.order_by("-history_date", "-history_id").values_list(
        "history_id", flat=True).first()


def source_of(version) -> str:
    return version.program if (version.program or "").strip() else (version.mermaid or "")


def program_history(exercise: Exercise) -> list[dict]:
    """Oldest first: each version that changed the program (or the Mermaid source), with
    its author, time and a unified diff from the previous one."""
    history, previous = [], None
    for version in exercise.history.select_related("history_user").order_by(
            "history_date", "history_id"):
        source = source_of(version)
        if previous is not None and source == previous:
            continue  # a save that left the program as it was (a title, a tolerance)
        diff = "".join(difflib.unified_diff(
            (previous or "").splitlines(keepends=True), source.splitlines(keepends=True),
            fromfile="before", tofile="after")) if previous is not None else ""
        history.append({"revision": version.history_id, "at": version.history_date,
                        "by": version.history_user.get_username() if version.history_user
                        else "", "source": source, "diff": diff})
        previous = source
    return history
