"""Names in programs and diagrams are plain ASCII: letters, digits and underscores.

Python (and so the authoring language) would accept any Unicode identifier, but a Cyrillic
'а' next to a Latin 'a' makes two names that read the same, and Python quietly folds some
look-alikes together ('ａ' and 'a' are one name to it). Refusing them keeps every name a
learner sees spelled the way it is typed.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import ProgramError

PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def is_plain(name: str) -> bool:
    return PLAIN_NAME.fullmatch(name) is not None


def check_name(name: str, line: int | None, what: str = "name") -> None:
    """Raise a ProgramError at `line` naming the first character that is not plain ASCII."""
    if is_plain(name):
        return
    bad = next((ch for ch in name if not (ch.isascii() and (ch.isalnum() or ch == "_"))),
               None)
    if bad is None:  # only ASCII, but not a name (it starts with a digit)
        raise ProgramError(f"the {what} '{name}' must start with a letter or an underscore",
                           line)
    raise ProgramError(f"the {what} '{name}' has a character that is not a plain letter, "
                       f"digit or underscore ({describe(bad)}): use ASCII names", line)


def describe(ch: str) -> str:
    """'а', U+0430 CYRILLIC SMALL LETTER A — the code point says which look-alike it is."""
    code = f"U+{ord(ch):04X}"
    name = unicodedata.name(ch, "")
    shown = ch if ch.isprintable() and unicodedata.category(ch)[0] != "M" else ""
    parts = [f"'{shown}'"] if shown else []
    parts.append(f"{code} {name}".rstrip())
    return ", ".join(parts)
