"""Evaluation: golden datasets, metrics, runs and reports for the quality team."""
