"""`manage.py solve FILE [--format table|json|mermaid] [--seed N] [--granularity line|gate]`:
the engine on a file, one node per program line (the default) or per gate."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from exercises.engine import DEFAULT_SEED, GRANULARITIES, LINE, ProgramError, solve_text
from exercises.engine.formatting import table, to_json
from exercises.engine.mermaid import to_mermaid


def read_source(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {path}: {exc}") from None


class Command(BaseCommand):
    help = "Solve a program or Mermaid flowchart: every node's data and gradient."

    def add_arguments(self, parser):
        parser.add_argument("file", help="program or Mermaid file, or - for stdin")
        parser.add_argument("--format", choices=("table", "json", "mermaid"), default="table")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help="seed for randint()/choice() inputs")
        parser.add_argument("--granularity", choices=GRANULARITIES, default=LINE,
                            help="one node per program line (default) or per binary gate")

    def handle(self, *args, **options):
        text = read_source(options["file"])
        try:
            graph = solve_text(text, seed=options["seed"], granularity=options["granularity"])
        except ProgramError as exc:
            raise CommandError(str(exc)) from None
        fmt = options["format"]
        if fmt == "json":
            self.stdout.write(json.dumps(to_json(graph), ensure_ascii=False))
        elif fmt == "mermaid":
            self.stdout.write(to_mermaid(graph), ending="")
        else:
            self.stdout.write(table(graph), ending="")
