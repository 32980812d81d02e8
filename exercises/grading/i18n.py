"""The grader's prose in the learner's language, still without Django.

Hints and misconception texts are whole sentences with named placeholders, marked with
`_()` (so `manage.py makemessages` finds them) and filled in after translation:

    phrase(_("{x} feeds one operation, {op}."), x=math(...), op=definition(...))
    _("You typed {name}'s forward value (its data), not its gradient {d}.").format(...)

A translator sees the whole sentence and may move the placeholders. Until `install()` is
called everything stays English; the Django app installs its gettext when it starts
(exercises/apps.py), and the active request's language then picks the translation. A
regrade, with no request, writes English.

Hints are cached per solved graph; `language()` is part of the cache key, so a hint built
for one learner's language is never shown to another's.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .notation import Piece, join, prose


def _english(one: str, many: str, n: int) -> str:
    return one if n == 1 else many


def _no_language() -> str | None:
    return None


_gettext: Callable[[str], str] = str
_ngettext: Callable[[str, str, int], str] = _english
_language: Callable[[], str | None] = _no_language

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def install(gettext: Callable[[str], str], ngettext: Callable[[str, str, int], str],
            language: Callable[[], str | None]) -> None:
    global _gettext, _ngettext, _language
    _gettext, _ngettext, _language = gettext, ngettext, language


def _(message: str) -> str:
    return _gettext(message)


def gettext_noop(message: str) -> str:
    """Marks a message for the catalogue, translated where it is shown (`_(message)`)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _ngettext(singular, plural, n)


def language() -> str:
    return _language() or ""


def phrase(template: str, **parts: Piece) -> Piece:
    """A translated sentence whose {placeholders} are maths (or other) pieces."""
    pieces, position = [], 0
    for match in _PLACEHOLDER.finditer(template):
        pieces.append(prose(template[position:match.start()]))
        pieces.append(parts[match.group(1)])
        position = match.end()
    pieces.append(prose(template[position:]))
    return join(pieces)
