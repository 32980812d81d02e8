"""Both parsers against anything a person can type: they accept it or refuse it with a
ProgramError, never another exception, and never by taking seconds (a regular expression
that backtracks on a long run of one character cost 2.5 s of CPU per admin keystroke).

Time is checked with hypothesis' own per-example deadline, far above a linear parse
(about a millisecond) and far below a quadratic one (seconds): not a benchmark, but a
catastrophic case cannot pass. bench/ measures the real speeds.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exercises.engine import ProgramError, parse
from exercises.engine.mermaid import MAX_DIAGRAM_CHARS, parse_mermaid

# Pieces of both languages, so generated text gets past the first check often.
MERMAID_PIECES = ["flowchart LR\n", "graph TD\n", "a", "b1", "x", "[", "]", "((", "))", "(",
                  ")", '"', "-->", "---", "==>", "|", "<br/>", "<br", "data:", "grad=", "3",
                  "-1.5", "+", "*", "tanh", " ", "  ", "\t", "\n", ";", "%%", "-", "=", "\\n"]
PROGRAM_PIECES = ["a", "b", "x1", " = ", "=", "+", "-", "*", "/", "**", "(", ")", ",", "2",
                  "0.5", "1e3", "tanh", "exp", "relu", "sigmoid", " ", "  ", "\n", "#", ":",
                  "input", "const", "9" * 20, "\t"]

RUNS = st.sampled_from([" ", "-", "=", "(", "[", '"', "a", "1", "<br", "|", "\t", ".", "*"])
SLOW = timedelta(milliseconds=500)
FUZZ = settings(max_examples=300, deadline=SLOW, database=None,
                suppress_health_check=[HealthCheck.too_slow])


def texts(pieces: list[str]):
    """Text made of language pieces, with now and then one long run of one character
    (what makes a backtracking expression slow), up to the parsers' size limits."""
    piece_text = st.lists(st.sampled_from(pieces), max_size=60).map("".join)
    run = st.tuples(RUNS, st.integers(100, 19_000)).map(lambda pair: pair[0] * pair[1])
    return st.tuples(piece_text, st.one_of(st.just(""), run), piece_text).map("".join)


def refused_or_read(parser, text: str) -> None:
    try:
        parser(text)
    except ProgramError:
        pass


@FUZZ
@given(text=texts(MERMAID_PIECES))
def test_mermaid_parser_reads_or_refuses_anything_quickly(text):
    refused_or_read(parse_mermaid, "flowchart LR\n" + text)


@FUZZ
@given(text=texts(PROGRAM_PIECES))
def test_program_parser_reads_or_refuses_anything_quickly(text):
    refused_or_read(parse, text)


@FUZZ
@given(text=st.text(max_size=400))
def test_both_parsers_on_any_unicode(text):
    refused_or_read(parse_mermaid, "flowchart LR\n" + text)
    refused_or_read(parse, text)


LONG_LINES = {
    "spaces between ids": "a" + " " * 19_900 + "b",
    "spaces in a box": "a[" + " " * 19_900 + "x",
    "spaces in a circle": "a((" + " " * 19_900 + "x",
    "spaces after an arrow": "a -->" + " " * 19_900 + "|",
    "dashes": "a " + "-" * 19_900,
    "equals": "a " + "=" * 19_900,
    "spaces in a field": 'a["a<br/>data: 1' + " " * 19_900 + 'x"]',
}


@pytest.mark.parametrize("line", LONG_LINES.values(), ids=LONG_LINES.keys())
def test_a_long_pathological_line_is_parsed_or_refused_at_once(line):
    """The issue's case: a line of 20,000 characters. Before, each took seconds."""
    text = "flowchart LR\n" + line
    assert len(text) <= MAX_DIAGRAM_CHARS
    start = time.process_time()
    refused_or_read(parse_mermaid, text)
    assert time.process_time() - start < SLOW.total_seconds()
