"""The words of the domain, defined once and used by every package: which services, sources,
audiences and console roles exist. Typed as `Literal`s for pydantic and typer; the tuples are
the same values, for loops and messages."""

from __future__ import annotations

from typing import Literal, get_args

Hotline = Literal["parcoursup", "monmaster", "moel"]  # the services the public writes to, each with its queue
Service = Literal["parcoursup", "monmaster", "moel", "allonisep"]  # what a snippet may be written for
Source = Literal["oscar", "ideo-metier", "ideo-formation"]  # where a document of the knowledge base comes from
Audience = Literal["eleve", "etudiant", "parent", "professionnel", "adulte"]
Role = Literal["counsellor", "supervisor", "quality"]  # console accounts

HOTLINES: tuple[str, ...] = get_args(Hotline)
SERVICES: tuple[str, ...] = get_args(Service)
SOURCES: tuple[str, ...] = get_args(Source)
AUDIENCES: tuple[str, ...] = get_args(Audience)
ROLES: tuple[str, ...] = get_args(Role)
