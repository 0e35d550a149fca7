"""Benchmarks: `.venv/bin/python -m bench` runs them all and prints one table (see RESULTS.md).

Nothing here runs in the test suite. The app is driven from outside wherever possible (its
CLI as a subprocess, HTTP); the few in-process uses of the app are in ``bench/launch.py``.
"""
