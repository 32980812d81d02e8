"""Benchmarks: `python -m bench [engine|grading|http] [--quick]` (all present ones by default)."""
