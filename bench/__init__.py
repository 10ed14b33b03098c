"""Benchmark harness for rapport (see bench/README.md); not part of the installed package."""
