"""Benchmarks with side-by-side anchors (``make bench``); see ``bench/run_all.py``."""
