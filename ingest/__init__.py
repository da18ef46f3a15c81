"""Ingestion: sources (Oscar snippets, Idéo fiches) -> Document -> chunks -> embed -> index."""
