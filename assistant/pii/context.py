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
    r"|(?:nous|en\s+cours)\s+(?:parle|parlait|a\s+parl[ée]|avons\s+parl[ée])(?:\s+(?:beaucoup|souvent|tout\s+le\s+temps))?"
    r"|(?:on|nous|je|j['’]|il|elle)\s*(?:bosse|bossons|bossait|travaille|travaillons|travaillait|r[ée]vise|r[ée]visons))"  # « on bosse sur Jaurès et Blum »
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
# A favourite character, singer or player is a figure (« mon perso préféré c'est Lara Croft », « mon idole c'est… »).
_FAVOURITE_BEFORE = re.compile(
    r"(?<![\w'’])(?:mon|ma|mes|notre|son|sa|ses|leur)[ \t]+(?:perso|personnage|h[ée]ro(?:s|ïne)|idole|mod[èe]le|star|chanteu(?:r|se)|acteur|actrice|auteur|autrice"
    r"|[ée]crivain(?:e)?|artiste|joueu(?:r|se)|youtubeu(?:r|se)|streameu(?:r|se)|rappeu(?:r|se)|footballeu(?:r|se))s?"
    r"(?:[ \t]+pr[ée]f[ée]r[ée]e?s?)?[ \t]*(?:,[ \t]*)?(?:c['’][ \t]*est|cest|c|est|sont|ce[ \t]+sont|:)?[ \t]*$",
    re.IGNORECASE,
)
# A school given its name: « mon collège s'appelle Albert Camus », « mon lycée c'est Gustave Eiffel », and after
# it « Jeanne d'Arc c'est le nom de mon lycée ».
_SCHOOL_NAMED_BEFORE = re.compile(
    rf"(?:(?<=\bl['’])|(?<![\w'’]))(?i:{_ESTABLISHMENT})\s+(?:(?i:s['’]\s*appelle|se\s+nomme|c['’]\s*est|porte\s+le\s+nom\s+de|d['’]\s*appelle))\s*$"
    # in the plural, schools in general (« plein de lycées qui s'appellent Victor Hugo », « tant de collèges portent le nom de… »)
    rf"|(?:(?<=\b[dl]['’])|(?<![\w'’]))(?i:(?:{_ESTABLISHMENT})[sx])\s+(?i:qui\s+)?(?i:s['’]\s*appellent|se\s+nomment|portent\s+le\s+nom\s+(?:de|d['’]))\s*$"
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
    r"|scolaris[ée]e?|affect[ée]e?|int[ée]grer|int[ée]gr[ée]e?|muter|mut[ée]e?|transf[ée]r[ée]e?"
    r"|place(?:[^.?!\n]{0,50}?(?<![\w'’])(?:une|un))?)\s+(?:[àa]|au|en)\s*$"  # « g une place la bas et une a Victor Hugo »: a school
    r"|(?<![\w'’])(?:[ée]tudi(?:e|er|ons|ez|ent|é)|lu|lis|lit|lire|relire|analyser|analyse)\s*$",
    re.IGNORECASE,
)


# The figure an oral or a written work is about (« pour mon grand oral je parle de Victor Hugo »).
_WORK_TOPIC_BEFORE = re.compile(
    r"(?<![\w'’])(?:grand\s+oral|oral|expos[ée]|pr[ée]sentation|dissertation|dossier|m[ée]moire|tpe|devoir|lettre|projet|essai|texte)(?![\w'’])[^.?!\n]{0,40}?"
    # whoever speaks, the writer or the work itself (« ma lettre de motivation parle de… »)
    r"(?:(?<![\w'’])j['’]\s*|(?<=\s))(?:(?:parle|parlerai|vais\s+parler)\s+(?:de|d['’]|du|sur)"
    r"|(?:pr[ée]sente|pr[ée]senterai|vais\s+pr[ée]senter|traite|vais\s+traiter)(?:\s+(?:de|d['’]|du|sur))?)\s*$",
    re.IGNORECASE,
)


# An establishment's name in apposition (« Mon lycée, Jean Moulin, a un BTS ? »).
_ESTABLISHMENT_APPOSED_BEFORE = re.compile(rf"(?<![\w'’])(?i:mon|ma|notre|son|sa|leur|le|la|l['’]|ce|cet|cette)\s*(?i:{_ESTABLISHMENT})\s*,\s*$")


def names_no_person(text: str, start: int, end: int) -> bool:
    """Whether the capitalised `text[start:end]` names an establishment, a place or a figure, not a person here."""
    before = text[max(0, start - 60) : start]
    if _ESTABLISHMENT_BEFORE.search(before.rstrip() + " ") or _TOPIC_BEFORE.search(before.rstrip() + " ") or _ESTABLISHMENT_APPOSED_BEFORE.search(before):
        return True
    if _ADMITTED_AT_BEFORE.search(before) or _STUDIED_BEFORE.search(before) or _EMPLOYER_BEFORE.search(before) or _IS_A_SCHOOL_AFTER.match(text, end):
        return True
    if _SCHOOL_NAMED_BEFORE.search(before) or _SCHOOL_NAME_AFTER.match(text, end):
        return True
    if _WORK_BEFORE.search(before) or _FAVOURITE_BEFORE.search(before) or _loved_figure(text, start, end) or _WORK_TOPIC_BEFORE.search(before):
        return True
    # « Pierre et Marie Curie est une fac ? »: the first of two names that the message says are a school
    joined_after = _JOINED_NAME_AFTER.match(text, end)
    if joined_after and _IS_A_SCHOOL_AFTER.match(text, joined_after.end()):
        return True
    # « Claude Bernard Lyon 1 »: a university named after someone, then its town and number
    campus = _TOWN_AND_NUMBER_AFTER.match(text, end)
    if campus and communes().is_commune(campus.group(1)):
        return True
    # A work's title (« lire Germinal et Madame Bovary ») or a later name of a list of what one reads or studies (« on lit
    # Zola, Colette et Marguerite Duras »); a list after a place or of people with their title stays people (« admise à
    # Rennes, Sofiane et Maëlle aussi », « avec Mme Perrin et M. Adda »)
    titled = _TITLE_END.search(before)
    lead_before = before[: titled.start()] if titled else before
    if titled and _STUDIED_BEFORE.search(lead_before):
        return True
    listed = _LIST_BEFORE.search(lead_before)
    if listed and (titled or listed.group("more") or (listed.group("comma") and _LIST_CLOSED_AFTER.match(text, end))):
        first_start = start - len(before) + listed.start("name")
        first_before = text[max(0, first_start - 60) : first_start].rstrip() + " "
        if _TOPIC_BEFORE.search(first_before) or _STUDIED_BEFORE.search(first_before):
            return True
    # « lycée Pierre et Marie Curie », « un livre de Victor Hugo et George Sand »: the second of two names joined by « et »
    joined = _JOINED_NAME_BEFORE.search(before)
    if joined:
        first_start = start - len(before) + joined.start("name")
        first_before = text[max(0, first_start - 60) : first_start].rstrip() + " "
        words = joined.group("name").split()
        if len(words) == 1 and is_given_name(words[0]) and _ESTABLISHMENT_BEFORE.search(first_before):
            return True
        if _TOPIC_BEFORE.search(first_before) or (len(words) >= 2 and _ESTABLISHMENT_BEFORE.search(first_before)):  # (« sur Jaurès et Blum »)
            return True  # « lycée Lucie Aubrac ou Germaine Tillion »
        if (_STUDIED_BEFORE.search(first_before) or _EMPLOYER_BEFORE.search(first_before) or _ADMITTED_AT_BEFORE.search(first_before)
                or _WORK_TOPIC_BEFORE.search(first_before)):  # « étudier Simone Weil et Hannah Arendt », « aller à Jean Moulin ou à Jules Ferry », « ma lettre parle de Marie Curie et de… »
            return True
    value = text[start:end]
    return bool(_PLACE_BEFORE.search(before)) and communes().is_commune(value) and not is_first_name(value.split()[0])


_JOINED_NAME_BEFORE = re.compile(
    r"(?<![\w'’])(?![A-ZÀ-Ö]['’][a-zà-ÿ])(?P<name>[A-ZÀ-Ö][\w'’\-]*(?:[ \t]+(?:(?:de|d['’]|du)[ \t]*)?[A-ZÀ-Ö][\w'’\-]*){0,2})[ \t]+(?:et|ou|&)(?:[ \t]+(?:à|a|au|de|d['’]))?[ \t]*$"
)
_LISTED = r"[A-ZÀ-Ö][\w'’\-]*(?:[ \t]+(?:(?:de|d['’]|du)[ \t]*)?[A-ZÀ-Ö][\w'’\-]*){0,2}"
# The names before in a list (« on lit Zola, Colette et Duras »): its first name is `name`.
_LIST_BEFORE = re.compile(
    rf"(?<![\w'’])(?![A-ZÀ-Ö]['’][a-zà-ÿ])(?P<name>{_LISTED})(?P<more>(?:[ \t]*,[ \t]*{_LISTED})*)(?:[ \t]+(?:et|ou|&)|(?P<comma>[ \t]*,))[ \t]*$"
)
_LIST_CLOSED_AFTER = re.compile(rf"(?:[ \t]*,[ \t]*{_LISTED})*[ \t]+(?:et|ou|&)[ \t]+[A-ZÀ-Ö]")  # (a name after a comma: the list goes on to « et »)
_TITLE_END = re.compile(r"(?<![\w'’])(?:Madame|Monsieur|Mademoiselle)[ \t]+$")  # « lire Germinal et Madame Bovary »: a work's title


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


# -- figures and things named like people, for names no cue announced (round 7) --
_NAME_RUN = r"[A-ZÀ-Ö][\w'’\-]*(?:[ \t]+(?:(?:de|d['’]|da|van|von)[ \t]*)?[A-ZÀ-Ö][\w'’\-]*){0,3}"
# Who inspired the writer is a figure: « Ada Lovelace et Alan Turing m'ont inspirée », « Simone Veil me motive ».
_INSPIRED_AFTER = re.compile(
    rf"(?:[ \t]+[A-ZÀ-Ö][\w'’\-]*){{0,3}}(?:[ \t]*(?:,|et|&)[ \t]*{_NAME_RUN})*[ \t]+(?i:m['’]|me|nous)[ \t]*(?i:a|ont|avait|avaient)?[ \t]*"
    r"(?i:inspir|donn[ée]e?s?[ \t]+envie|donn[ée]e?s?[ \t]+le[ \t]+go[uû]t)"
)
# What a figure is to the writer, said after the name: « Marie Curie est mon modèle », « Simone Veil, c'est mon idole ».
_ROLE_MODEL_AFTER = re.compile(
    r"[ \t]*,?[ \t]*(?:c['’][ \t]*est|est|reste|sera\s+toujours)[ \t]+(?:mon|ma)[ \t]+"
    r"(?:mod[èe]le|idole|h[ée]ros|h[ée]ro[ïi]ne|exemple|r[ée]f[ée]rence|inspiration)(?![\w'’])",
    re.IGNORECASE,
)
_RELATIVE_BEFORE = re.compile(r"(?<![\w'’])(?i:mon|ma|mes|ton|ta|son|sa|ses|notre|votre|leur)[ \t]+[\w'’\-]+(?:[ \t]+[\w'’\-]+)?[ \t,]*$")
# A writer or an artist one loves (« j'adore Victor Hugo et Zola »), unless the message says who they are to the writer
# (« j'adore Léa Martin ma prof de maths », « j'admire Sofiane Benali, mon grand frère »).
_LOVED_BEFORE = re.compile(
    r"(?<![\w'’])(?:j['’]\s*|j|je\s+)(?:adore|adorais|admire|admirais|kiffe)[ \t]+(?:(?-i:[A-ZÀ-Ö])[\w'’\-]*(?:[ \t]+(?:(?:de|d['’])[ \t]*)?(?-i:[A-ZÀ-Ö])[\w'’\-]*){0,2}[ \t]+(?:et|ou|&)[ \t]+)?$",
    re.IGNORECASE,
)
_NAMES_THEN_RELATION = re.compile(
    r"(?:[ \t]+(?:(?:de|d['’])[ \t]*)?[A-ZÀ-Ö][\w'’\-]*(?![\w'’\-]))*(?:[ \t]+(?:et|ou|&)[ \t]+[A-ZÀ-Ö][\w'’\-]*(?![\w'’\-])(?:[ \t]+(?:(?:de|d['’])[ \t]*)?[A-ZÀ-Ö][\w'’\-]*(?![\w'’\-]))*)?"
    r"(?:[ \t]*,[ \t]*|[ \t]+)(?i:ma|mon|mes|notre|nos|sa|son|ses|leur|une?|le|la|qui)(?![\w'’])"
)


def _loved_figure(text: str, start: int, end: int) -> bool:
    return bool(_LOVED_BEFORE.search(text, max(0, start - 80), start)) and not _NAMES_THEN_RELATION.match(text, end)


# A role model (« j'aimerais faire comme Thomas Pesquet », « jouer comme Zinedine Zidane »).
_ROLE_MODEL_BEFORE = re.compile(r"(?<![\w'’])(?:faire|devenir|jouer|chanter|[ée]crire|r[ée]ussir|[êe]tre|etre)[ \t]+comme[ \t]*$", re.IGNORECASE)
# What an author, an artist or a scientist did (« Victor Hugo a écrit les Misérables », « Marie Curie a découvert le radium »).
_WORK_DONE_AFTER = re.compile(
    r"(?:[ \t]+[A-ZÀ-Ö][\w'’\-]*){0,2}[ \t]+(?:a|avait|ont)[ \t]+(?:[ée]crit|invent[ée]|d[ée]couvert|peint|compos[ée]|th[ée]oris[ée]|sculpt[ée])(?![\w'’])"
    r"(?![ \t]+(?:à|a|au|aux|que|qu['’]|un\s+mail|une\s+lettre|hier|ce\s+matin)\b)"  # not « Léa Martin a écrit au CIO », « a découvert que »
)
# Born or dead before 1940: a historical figure (« Léopold Sédar Senghor, né en 1906 à Joal »).
_LONG_AGO_AFTER = re.compile(
    r"[ \t]*,?[ \t]*\(?[ \t]*(?:n[ée]e?|morte?|d[ée]c[ée]d[ée]e?)[ \t]+(?:en|vers|le[ \t]+[^,()\n]{1,20}?)[ \t]+(?:1[0-8]\d\d|19[0-3]\d)(?!\d)",
    re.IGNORECASE,
)
# Beside a lone family name (a figure's: « Marie Curie et Einstein », « Newton et Marie Curie »).
_AND_LONE_AFTER = re.compile(r"[ \t]+(?:et|&)[ \t]+(?P<other>[A-ZÀ-Ö][a-zà-ÿ'’\-]+)(?![\w'’\-])(?![ \t]+[A-ZÀ-Ö])")
_LONE_AND_BEFORE = re.compile(r"(?<![\w'’\-])(?P<other>[A-ZÀ-Ö][a-zà-ÿ'’\-]+)[ \t]+(?:et|&)[ \t]+$")
# An item of a list of titles or brands closed by « … » or « etc. » (« Mario, Zelda, Pokémon… »), one item no given name.
_LIST_ITEM = r"[A-ZÀ-Ö][\w'’\-]*(?:[ \t]+[A-ZÀ-Ö][\w'’\-]*)?"
_TITLE_LIST = re.compile(rf"(?<![\w'’\-]){_LIST_ITEM}(?:[ \t]*,[ \t]*{_LIST_ITEM}){{2,}}[ \t]*(?:…|\.\.\.|,?[ \t]*etc\b)")
# What a writer asks about is a thing: « on parle souvent de « Ginette » pour la prépa, c'est quoi ? »: a word in quotes.
_QUOTED = re.compile(r"[«\"“][ \t\u00a0]*$")
_UNQUOTED = re.compile(r"[ \t\u00a0]*[»\"”]")
# A self-introduction later on: the opening word was a greeting (« Salam 🙏 je suis Youssef », « Xin chào, je m'appelle… »).
_INTRODUCTION_AFTER = re.compile(r"(?<![\w'’])(?i:je\s+suis|je\s+m['’]\s*appelle|moi\s+c['’]\s*est|mon\s+nom\s+est)\s+[A-ZÀ-Ö]")


# What the writer says of a figure, a firm, a character or a place (for names no cue announced).
_CREATED_AFTER = re.compile(
    r"(?:[ \t]+[A-ZÀ-Ö][\w'’\-]*){0,2}[ \t]+(?:a|avait|ont)[ \t]+(?:cr[ée]{2}|fond[ée])(?![\w'’])"
    r"(?![ \t]+(?:son|sa|ses|mon|ma|mes|leur|un[ \t]+compte|un[ \t]+dossier|le[ \t]+compte|le[ \t]+dossier)\b)"
)
_OLD_YEAR_AFTER = re.compile(r"[^.?!\n]{0,60}?(?<![\w'’])(?:en|vers|d[èe]s|depuis|au\s+d[ée]but\s+de|in)[ \t]+1[0-8]\d\d(?![\d/.\-]|[ \t]*(?:€|euros?|caract|mots|km|m\b|heures|h\b))", re.IGNORECASE)
_ON_THE_SYLLABUS_AFTER = re.compile(r"[ \t]*,?[ \t]*(?:c['’][ \t]*est|est|sont|il\s+est|elle\s+est)[ \t]+(?:au|dans[ \t]+le)[ \t]+programme", re.IGNORECASE)
_FIRM_AFTER = re.compile(r"[ \t]+(?:recrute|recrutent|embauche|embauchent|prend[ \t]+des[ \t]+alternants|propose[ \t]+des[ \t]+(?:stages|alternances))(?![\w'’])", re.IGNORECASE)
_CHARACTER_AFTER = re.compile(r"[ \t]+dans[ \t]+(?:les|le|la|l['’])[ \t]*[A-ZÀ-Ö]")  # « Jean Valjean dans les Misérables »
# Someone the writer asks about is a figure: « Paul Langevin ? c'était qui au juste », « Olympe de Gouges, c'est qui ? ».
_WHO_AFTER = re.compile(
    r"[ \t]*[?,:]?[ \t]*(?:c['’][ \t]*(?:est|[ée]tait)|cest|c)[ \t]+qui(?:[ \t]+(?:au[ \t]+juste|exactement|d[ée]j[àa]|en[ \t]+fait|[çc]a))?[ \t]*(?:[?,.!]|$)",
    re.IGNORECASE,
)
_OR_PLACE = re.compile(r"[ \t]+(?:ou|et)[ \t]+(?P<other>[A-ZÀ-Ö][\w'’\-]+)(?![\w'’\-])")
_PLACE_OR_BEFORE = re.compile(r"(?<![\w'’\-])(?P<other>[A-ZÀ-Ö][\w'’\-]+)[ \t]+(?:ou|et)[ \t]+$")


# Schools one hesitates between for a class or a formation (« j'hésite entre Jean Mermoz et Louis Pasteur pour la seconde »).
_CHOICE_BEFORE = re.compile(rf"(?<!\w)(?i:h[ée]site|h[ée]siter|choisir|choix|balance)[ \t]+(?i:entre)[ \t]+(?:{_NAME_RUN}[ \t]+(?:et|ou)[ \t]+)?$")
_FOR_A_CLASS_AFTER = re.compile(
    rf"(?:[ \t]+(?:et|ou)[ \t]+{_NAME_RUN})?[ \t]*,?[ \t]+(?i:pour)[ \t]+(?i:la|le|l['’]|ma|mon|un|une|en)?[ \t]*"
    r"(?i:seconde|2nde|2de|premi[èe]re|1[èe]re|terminale|sixi[èe]me|6e|lyc[ée]e|coll[èe]ge|pr[ée]pa|bts|but|licence|master|fac|rentr[ée]e|ann[ée]e|internat|sp[ée]\w*)(?![\w'’])"
)


def _is_place(word: str) -> bool:
    return (communes().is_commune(word) or communes().is_territory(word)) and not is_first_name(word)


def no_one_uncued(text: str, start: int, end: int) -> bool:
    """Whether a name no cue announced (read by spaCy or the gazetteer alone) is a figure, a title, a
    thing or a greeting rather than someone of the message."""
    if re.match(r"(?:Saint|Sainte|St|Ste)-[A-ZÀ-Ö]", text[start:end]):
        return True  # « Est-ce que Sainte-Marie à Lyon c'est privé ? »: a school or a commune, not someone
    if _ON_THE_SYLLABUS_AFTER.match(text, end) or _FIRM_AFTER.match(text, end) or _CHARACTER_AFTER.match(text, end):
        return True  # « Martin Luther King c'est au programme », « Pierre Fabre recrute », « Jean Valjean dans les Misérables »
    if (_CREATED_AFTER.match(text, end) and (" " in text[start:end].strip() or _OLD_YEAR_AFTER.match(text, end))) or (
        _OLD_YEAR_AFTER.match(text, end) and not _RELATIVE_BEFORE.search(text, max(0, start - 40), start)
    ):
        return True  # « Charles de Gaulle a créé l'ENA », « Napoléon a créé le bac en 1808 »
    if _WHO_AFTER.match(text, end):
        return True
    if _CHOICE_BEFORE.search(text, max(0, start - 60), start) and _FOR_A_CLASS_AFTER.match(text, end):
        return True
    if " " not in text[start:end].strip():
        after, before = _OR_PLACE.match(text, end), _PLACE_OR_BEFORE.search(text, max(0, start - 30), start)
        if (after and _is_place(after.group("other"))) or (before and _is_place(before.group("other"))):
            return True  # « Florence ou Rome pour Erasmus ? »
    full_name = " " in text[start:end].strip() or bool(re.match(r"[ \t]+[A-ZÀ-Ö][a-zà-ÿ]", text[end:]))  # (« Alan » read alone in « Alan Turing »)
    if _INSPIRED_AFTER.match(text, end) and full_name:
        return True
    # a role model or someone born long ago, unless a relative (« ma cousine Inès Caron est mon modèle »,
    # « ma grand-mère Jeanne, née en 1938 »)
    if ((full_name and _ROLE_MODEL_AFTER.match(text, end)) or _LONG_AGO_AFTER.match(text, end)) and not _RELATIVE_BEFORE.search(
        text, max(0, start - 40), start
    ):
        return True
    if full_name and (_ROLE_MODEL_BEFORE.search(text, max(0, start - 30), start) or _WORK_DONE_AFTER.match(text, end)):
        return True
    particle = re.match(r"[ \t]+(?:de|du|d['’])[ \t]*[A-ZÀ-Ö][\w'’\-]+", text[end:])  # « Simone de Beauvoir et Sartre »
    if particle:
        end, full_name = end + particle.end(), True
    for match in (_AND_LONE_AFTER.match(text, end), _LONE_AND_BEFORE.search(text, max(0, start - 30), start)):
        if match and full_name and not is_given_name(match.group("other")) and not is_first_name(match.group("other")) and not (
            re.search(r"[A-ZÀ-Ö][\w'’\-]*[ \t]+$", text[max(0, match.start("other") - 30) : match.start("other")])  # « Lou-Anne Marchal et Victor Marchal »
            or _ESTABLISHMENT_BEFORE.search(text[max(0, match.start("other") - 60) : match.start("other")].rstrip() + " ")  # « au lycée Hoche et Camille Renard »
        ):
            return True
    nickname = re.search(r"(?i:appel\w*|surnomm\w*|surnom|dite?|alias)[ \t]*[«\"“][ \t\u00a0]*$", text[max(0, start - 30) : start])  # « on l'appelle « Titi » »
    if _QUOTED.search(text, max(0, start - 3), start) and _UNQUOTED.match(text, end) and " " not in text[start:end] and not nickname:
        return True
    for match in _TITLE_LIST.finditer(text, max(0, start - 80), min(len(text), end + 80)):
        if match.start() <= start and end <= match.end():
            items = [w.strip() for w in re.split(r",|…|\.\.\.|\betc\b", match.group(0)) if w.strip()]
            if any(not is_given_name(item.split()[0]) for item in items):
                return True
    if " " not in text[start:end] and not re.search(r"\w", text[:start]):
        if _INTRODUCTION_AFTER.search(text, end, min(len(text), end + 80)) and not re.match(r"[ \t]*(?:ici|,?[ \t]*\d)", text[end:]):
            return True
    return False
