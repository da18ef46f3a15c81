"""Capitalised words that name something other than a person, told by the words around them.

- An establishment named after someone: the name comes after an establishment word, maybe
  with its kind and its town between (« lycée professionnel Jean Lurçat », « université
  Toulouse Jean Jaurès », « IUT Henri Poincaré », « BTS au lycée Simone Veil »).
- A commune after « à », « vers », « habite » (« j'habite à Rosny », « qu'à Quimper »), when the
  word is not also a first name (COG, `assistant.pii.places`).
- A commune closing a lower-case name: « kylian le goff de Lorient » is kylian le goff.
- A figure one studies or admires (« un exposé sur Marie Curie », « passionnée par Napoléon »).
"""

from __future__ import annotations

import re

from assistant.pii.names import is_first_name, is_given_name
from assistant.pii.places import communes

_ESTABLISHMENT = (
    r"lyc[ée]e|coll[èe]ge|[ée]cole|universit[ée]|iut|institut|fac|facult[ée]|campus|cfa|ufa|greta|cio|inspe|insa|ensemble\s+scolaire"
    r"|groupe\s+scolaire|cit[ée]\s+scolaire|centre|association|fondation|[ée]tablissement|p[ôo]le|maison|h[ôo]pital|clinique"
    r"|r[ée]sidence\s+(?:crous|universitaire|[ée]tudiante)"
    # shops and firms named after someone (« la boulangerie Paul », « le restaurant Paul Bocuse »)
    r"|boulangerie|p[âa]tisserie|restaurant|brasserie|magasin|boutique|enseigne|garage|pharmacie|librairie"
    r"|h[ôo]tel|mus[ée]e|th[ée][âa]tre|cin[ée]ma|galerie|stade|gymnase|piscine|m[ée]diath[èe]que|biblioth[èe]que"
)
_KIND = (
    r"professionnel(?:le)?|polyvalent|g[ée]n[ée]ral|technologique|agricole|priv[ée]e?|public|publique|international(?:e)?"
    r"|h[ôo]telier|des\s+m[ée]tiers|r[ée]gional|catholique|militaire|d['’]enseignement\s+\w+|sup[ée]rieur|catholique"
)
_TOWN = r"(?:(?:de|d['’]|du)\s*)?[A-ZÀ-Ö][\w'’\-]*"
_ESTABLISHMENT_BEFORE = re.compile(
    rf"(?:(?<=\bl['’])|(?<![\w'’]))(?i:{_ESTABLISHMENT})(?:\s+(?i:{_KIND}))*(?:\s+{_TOWN})?\s*(?:(?i:de|du|des|d['’])\s*)?$"
)
_PLACE_BEFORE = re.compile(r"(?<![\w'’])(?:[àa]|au|vers|pr[èe]s\s+de|habite|habitons|habitent|sur|en)\s*$", re.IGNORECASE)
_TOPIC_BEFORE = re.compile(
    r"(?:(?<=\bl['’])|(?<![\w'’]))(?:expos[ée]s?|livres?|romans?|biographie|[œo]euvres?|th[èe]se|m[ée]moire|films?|citations?|po[èe]mes?|tableaux?"
    r"|histoire|passionn[ée]e?s?|fascin[ée]e?s?|fan|admirat(?:eur|rice)s?|l['’][ée]poque|la\s+vie|les\s+travaux"
    # what a teacher talks about in class (« ma prof nous parle beaucoup de Claude Bernard »)
    r"|(?:nous|en\s+cours)\s+(?:parle|parlait|a\s+parl[ée]|avons\s+parl[ée])(?:\s+(?:beaucoup|souvent|tout\s+le\s+temps))?)"
    r"\s+(?:sur|de|par|d['’]|du)\s*$"
    # someone one asks about is a figure (« c'est qui Jean Jaurès ? », « qui était Olympe de Gouges »)
    r"|(?<![\w'’])(?:c['’]\s*est\s+qui|qui\s+(?:est|[ée]tait|c['’]\s*est))\s*$",
    re.IGNORECASE,
)
# A work named with a capital, then its author: « la lecture des Misérables de Victor Hugo », « le Boléro de Ravel »
# (not a relative written with a capital: « la Maman de Léa »).
_WORK_BEFORE = re.compile(
    r"(?<![\w'’])(?:les|le|la|l['’]|des|du|aux?|lu|lis|lit|lire|relu|vu|regard[ée]|[ée]cout[ée])[ \t]*(?!(?:Maman|Papa|M[èe]re|P[èe]re|Fils|Fille|S[œo]e?ur|Fr[èe]re|Cousine?|Tante|Oncle"
    r"|Amie?|Copine|Copain|Prof(?:esseure?)?|Famille|Parents?|Classe|Part)\b)[A-ZÀ-Ö][a-zà-ÿ'’\-]+(?:[ \t]+[\w'’\-]+){0,3}?[ \t]+(?:de|d['’])[ \t]*$"
)
# A name said to be a school or a town (« Est-ce que Jean Monnet c'est une bonne fac ? »).
_IS_A_SCHOOL_AFTER = re.compile(
    r"\s*,?\s*(?:c['’]\s*est|est|sont)\s+(?:vraiment\s+|bien\s+)?(?:une?|le|la|l['’])\s*(?:bon(?:ne)?\s+|vraie?\s+|grande?\s+|meilleure?\s+)?"
    r"(?:fac|facult[ée]|universit[ée]|[ée]cole|lyc[ée]e|coll[èe]ge|iut|pr[ée]pa|campus|institut|cfa|établissement"
    r"|ville|pays|r[ée]gion|destination|capitale)(?!\w)",  # « Florence c'est une bonne ville pour Erasmus ? »
    re.IGNORECASE,
)
# A school given its name: « mon collège s'appelle Albert Camus », « mon lycée c'est Gustave Eiffel », and after
# it « Jeanne d'Arc c'est le nom de mon lycée ».
_SCHOOL_NAMED_BEFORE = re.compile(
    rf"(?:(?<=\bl['’])|(?<![\w'’]))(?i:{_ESTABLISHMENT})\s+(?:(?i:s['’]\s*appelle|se\s+nomme|c['’]\s*est|porte\s+le\s+nom\s+de|d['’]\s*appelle))\s*$"
)
_SCHOOL_NAME_AFTER = re.compile(r"\s*,?\s*(?:c['’]\s*est|est)\s+(?:le\s+nom\s+de|aussi\s+le\s+nom\s+de)\s+(?:mon|ma|notre|son|sa|leur|l['’]|la|le)", re.IGNORECASE)
# Where one is an apprentice or a trainee is a firm (« un BTS en alternance chez Amadeus ou Thales »).
_EMPLOYER_BEFORE = re.compile(
    r"(?<![\w'’])(?:alternance|apprentissage|apprenti(?:e|s)?|stages?|stagiaire|travaill\w*|boss\w*|embauch\w*|job|cdi|cdd|contrat|emploi"
    r"|ouvri[eè]re?|salari[ée]e?|employ[ée]e?|technicien(?:ne)?|vendeu(?:r|se)|int[ée]rim\w*)"
    r"(?:\s+[\w'’]+){0,3}?\s+chez\s*$",
    re.IGNORECASE,
)
# What one studies (« on étudie Rousseau et Voltaire »).
_STUDIED_BEFORE = re.compile(r"(?<!\w)(?:[ée]tudi(?:e|er|ons|ez|ent|é)|lu|lis|lit|lire|relire|analyser|analyse)\s*$", re.IGNORECASE)


# Where one is admitted, goes or studies is a place or a school (« pris à Jules Ferry »), and
# what one studies or reads is a work (« on étudie Molière »).
_ADMITTED_AT_BEFORE = re.compile(
    r"(?<![\w'’])(?:pris|prise|admis|admise|accept[ée]e?|inscrite?|aller|all[ée]e?|vais|entrer|entr[ée]e?|[ée]tudier|postuler|candidater"
    r"|scolaris[ée]e?|affect[ée]e?|int[ée]grer|int[ée]gr[ée]e?|muter|mut[ée]e?|transf[ée]r[ée]e?)\s+(?:[àa]|au|en)\s*$"
    r"|(?<![\w'’])(?:[ée]tudi(?:e|er|ons|ez|ent|é)|lu|lis|lit|lire|relire|analyser|analyse)\s*$",
    re.IGNORECASE,
)


def names_no_person(text: str, start: int, end: int) -> bool:
    """Whether the capitalised `text[start:end]` names an establishment, a place or a figure, not a person here."""
    before = text[max(0, start - 60) : start]
    if _ESTABLISHMENT_BEFORE.search(before.rstrip() + " ") or _TOPIC_BEFORE.search(before.rstrip() + " "):
        return True
    if _ADMITTED_AT_BEFORE.search(before) or _STUDIED_BEFORE.search(before) or _EMPLOYER_BEFORE.search(before) or _IS_A_SCHOOL_AFTER.match(text, end):
        return True
    if _SCHOOL_NAMED_BEFORE.search(before) or _SCHOOL_NAME_AFTER.match(text, end):
        return True
    if _WORK_BEFORE.search(before):
        return True
    # « Pierre et Marie Curie est une fac ? »: the first of two names that the message says are a school
    joined_after = _JOINED_NAME_AFTER.match(text, end)
    if joined_after and _IS_A_SCHOOL_AFTER.match(text, joined_after.end()):
        return True
    # « Claude Bernard Lyon 1 »: a university named after someone, then its town and number
    campus = _TOWN_AND_NUMBER_AFTER.match(text, end)
    if campus and communes().is_commune(campus.group(1)):
        return True
    # « lycée Pierre et Marie Curie », « un livre de Victor Hugo et George Sand »: the second of two names joined by « et »
    joined = _JOINED_NAME_BEFORE.search(before)
    if joined:
        first_start = start - len(before) + joined.start("name")
        first_before = text[max(0, first_start - 60) : first_start].rstrip() + " "
        words = joined.group("name").split()
        if len(words) == 1 and is_given_name(words[0]) and _ESTABLISHMENT_BEFORE.search(first_before):
            return True
        if len(words) >= 2 and (_TOPIC_BEFORE.search(first_before) or _ESTABLISHMENT_BEFORE.search(first_before)):
            return True  # « lycée Lucie Aubrac ou Germaine Tillion »
        if _STUDIED_BEFORE.search(first_before) or _EMPLOYER_BEFORE.search(first_before) or _ADMITTED_AT_BEFORE.search(first_before):  # « étudier Simone Weil et Hannah Arendt », « aller à Jean Moulin ou à Jules Ferry »
            return True
    value = text[start:end]
    return bool(_PLACE_BEFORE.search(before)) and communes().is_commune(value) and not is_first_name(value.split()[0])


_JOINED_NAME_BEFORE = re.compile(
    r"(?<![\w'’])(?![A-ZÀ-Ö]['’][a-zà-ÿ])(?P<name>[A-ZÀ-Ö][\w'’\-]*(?:[ \t]+(?:(?:de|d['’]|du)[ \t]*)?[A-ZÀ-Ö][\w'’\-]*){0,2})[ \t]+(?:et|ou|&)(?:[ \t]+(?:à|a|au))?[ \t]*$"
)


_JOINED_NAME_AFTER = re.compile(r"[ \t]+(?:et|&)[ \t]+[A-ZÀ-Ö][\w'’\-]*(?:[ \t]+[A-ZÀ-Ö][\w'’\-]*){0,2}")
_TOWN_AND_NUMBER_AFTER = re.compile(r"[ \t]+([A-ZÀ-Ö][\w'’\-]+)[ \t]+\d{1,2}(?![\w/.,]\d)(?!\w)")


_FROM_PLACE = re.compile(r"[ \t]+(?:de|d['’]|du|à)[ \t]*(?P<place>[A-ZÀ-Ö][\w'’\-]+(?:[ \t]+[A-ZÀ-Ö][\w'’\-]+)*)$")


def without_place(text: str, start: int, end: int) -> int:
    """The end of a name span without the commune it closes on (« kylian le goff de Lorient »): when
    the name is written in lower case and the commune is not (« Paul de Villiers » is a name)."""
    match = _FROM_PLACE.search(text[start:end])
    if match and text[start:start + match.start()].islower() and communes().is_commune(match.group("place")) and not is_first_name(match.group("place").split()[0]):
        return start + match.start()
    return end
