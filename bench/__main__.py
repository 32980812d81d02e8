"""`python -m bench [engine|grading|http ...] [--quick]`: run the benchmark modules present.

With no names, every known module that exists under bench/ runs, in order. A module's
`main` is called with `quick=` when it takes that argument, else with no arguments.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import sys
import time

KNOWN = ("engine", "parser", "grading", "http", "course", "faults")


def present(name: str) -> bool:
    return importlib.util.find_spec(f"bench.{name}") is not None


def run(name: str, quick: bool) -> int:
    try:
        module = importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"bench.{name}":
            print(f"bench {name}: bench/{name}.py is not present, skipped")
            return 0
        raise
    main = getattr(module, "main", None)
    if main is None:
        print(f"bench {name}: bench/{name}.py has no main(), skipped")
        return 0
    try:
        takes_quick = "quick" in inspect.signature(main).parameters
    except (TypeError, ValueError):
        takes_quick = False
    result = main(quick=quick) if takes_quick else main()
    return result if isinstance(result, int) else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"which benchmarks to run: {', '.join(KNOWN)} (default: all present)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (stop at 10^5)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in KNOWN]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)} (choose from {', '.join(KNOWN)})")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = args.names or [name for name in KNOWN if present(name)]
    status = 0
    for name in names:
        start = time.perf_counter()
        print(f"== bench {name}{' (quick)' if args.quick else ''}", flush=True)
        status |= run(name, args.quick)
        print(f"== bench {name}: {time.perf_counter() - start:.1f} s\n", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
