"""Relais edge package: the settings object and the `relais` command line.

The domain lives in `knowledge`, `ingest`, `assistant`, `web` and `evals`; this package only
reads the configuration once and wires those packages to the outside world.
"""
