"""manage.py grade for the local, update and nudge kinds: the contract's line fields
("ask", "granularity", "learning_rate", "nudge") and answer keys, files and --jsonl."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

WORKED = "x = 2\ny = 3\nz = x * y\nloss = z + 1"
NUDGE = {"input": "x", "h": 0.001}


def run(*args, stdin: str | None = None) -> str:
    out = io.StringIO()
    kwargs = {"stdout": out}
    if stdin is not None:
        kwargs["stdin"] = io.StringIO(stdin)
    call_command("grade", *args, **kwargs)
    return out.getvalue()


def jsonl(*lines: dict) -> list[dict]:
    out = run("--jsonl", stdin="".join(json.dumps(line) + "\n" for line in lines))
    return [json.loads(line) for line in out.splitlines()]


def test_each_kind_by_its_keys_in_one_run():
    results = jsonl(
        {"program": WORKED, "ask": "local", "answers": {"loss/z": 1, "z/x": "3", "z/y": "2"}},
        {"program": WORKED, "ask": "update", "learning_rate": 0.1,
         "answers": {"x": "1.7", "y": "2.8"}},
        {"program": WORKED, "ask": "nudge", "nudge": NUDGE,
         "answers": {"nudged": "7.003", "slope": "3.0"}},
        {"program": WORKED, "ask": "nudge", "nudge": NUDGE, "granularity": "line",
         "answers": {"nudged": "7", "slope": "0.003"}, "id": 4},
    )
    assert [r["score"] for r in results] == [1, 1, 1, 0]
    assert set(results[0]["nodes"]) == {"loss/z", "z/x", "z/y"}
    assert set(results[1]["nodes"]) == {"x", "y"}
    wrong = results[3]["nodes"]
    assert results[3]["id"] == 4
    assert wrong["nudged"]["misconception"] == "nudge_unchanged"
    assert wrong["slope"]["misconception"] == "slope_not_divided"
    assert "(loss(x + h) − loss(x))/h" in wrong["slope"]["hint"]


def test_one_program_graded_with_different_settings_is_not_served_from_one_cache_entry():
    results = jsonl(*({"program": WORKED, "ask": "update", "learning_rate": rate,
                       "asked": ["x"], "answers": {"x": x}}
                      for rate, x in ((0.1, "1.7"), (1, "-1"))))
    assert [r["score"] for r in results] == [1, 1]


def test_bad_kind_settings_are_one_error_line_each():
    results = jsonl(
        {"program": WORKED, "ask": "update", "answers": {}},
        {"program": WORKED, "ask": "nudge", "nudge": {"input": "z"}, "answers": {}},
        {"program": WORKED, "ask": "nudge", "nudge": "x", "answers": {}},
        {"program": WORKED, "ask": "guess", "answers": {}},
        {"program": WORKED, "ask": "local", "granularity": "atoms", "answers": {}},
        {"program": WORKED, "ask": "local", "asked": ["loss/x"], "answers": {}},
    )
    errors = [r["error"] for r in results]
    assert errors[0] == "line 1: an update exercise needs a learning_rate"
    assert "nudged input must be an input" in errors[1]
    assert '"nudge" must be an object' in errors[2]
    assert '"ask" must be one of grad, data, local, update, nudge' in errors[3]
    assert '"granularity" must be one of line, gate' in errors[4]
    assert "unknown edge(s): loss/x" in errors[5]


def test_files_with_the_kind_options(tmp_path):
    program = tmp_path / "worked.txt"
    program.write_text(WORKED + "\n")
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"nudged": 7.003, "slope": 3}))
    result = json.loads(run(str(program), str(answers), "--ask", "nudge",
                            "--nudge", "x", "0.001"))
    assert result["score"] == 1 and result["ask"] == "nudge"
    answers.write_text(json.dumps({"y": "2.8"}))
    result = json.loads(run(str(program), str(answers), "--ask", "update",
                            "--learning-rate", "1/10", "--parameters", "y"))
    assert result["score"] == 1 and list(result["nodes"]) == ["y"]
    with pytest.raises(CommandError, match="needs a learning_rate"):
        run(str(program), str(answers), "--ask", "update")
