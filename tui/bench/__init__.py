"""Benchmarks and evaluations run with ``python -m tui.bench NAME``."""
