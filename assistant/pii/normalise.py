"""The text the scrubber analyses: personal data as a reader sees it, whatever Unicode it is in.

A phone number with zero-width characters, a NIR copied with no-break spaces, full-width or
Arabic-Indic digits, « O6 » for « 06 », « prenom.nom (at) free (point) fr »: a person reads
them at once, the recognizers did not. `normalise` folds these variants and keeps an exact
offset map, so every span found in the normalised text maps back to the user's own characters
(the stored text keeps them everywhere except the placeholders).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

# Invisible characters that are not Unicode category Cf (format) but are still ignorable:
# combining grapheme joiner, Mongolian free variation selectors, Khmer inherent vowels,
# Hangul fillers, variation selectors.
_IGNORABLE = frozenset("\u034f\u180b\u180c\u180d\u180f\u17b4\u17b5\u115f\u1160\u3164\uffa0") | frozenset(
    chr(c) for c in [*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)]
)
_LINE_BREAKS = frozenset("\u0085\u2028\u2029")
_HYPHENS = frozenset("\u2010\u2011\u2012\u2013\u2212\ufe63")
# Signs that group digits as a dot does (« 06·41·22… »): middle dot, bullet, hyphenation point, bullet
# and dot operators, katakana middle dot.
_DOT_LIKE = "\u00b7\u2022\u2027\u2219\u22c5\u30fb"
_DOT_BETWEEN_DIGITS = re.compile(rf"(?<=\d) ?[{_DOT_LIKE}](?= ?\d)")
# The letter O (Latin, Cyrillic, Greek) where a zero is meant.
_ZERO_LOOKALIKES = "OoОоΟο"
_ZERO_RUN = re.compile(rf"[{_ZERO_LOOKALIKES}]+")

# Spelled-out e-mail addresses: « a.b (at) c (point) fr », « a.b arobase c point fr », « a[at]c[dot]fr ».
# The text is read as tokens (a word, an « at », a « dot », anything else) in one linear pass.
_AT = r"\s*[(\[{<]\s*(?:at|a|à|ar+obase|chez|@)\s*[)\]}>]\s*|\s+(?:at|ar+obase)\s+|\s*@\s*"
_DOT = r"\s*[(\[{<]\s*(?:dot|point|\.)\s*[)\]}>]\s*|\s+(?:dot|point)\s+|\s+\.\s+|\.[ \t]+|[ \t]+\.|\.|,[ \t]?(?=(?:fr|com|net|org)\b)"
_SPACED_DOT = re.compile(r"\.[ \t]+|[ \t]+\.")  # « gmail. com », « gmail .com »: only before a mail domain's ending
_EMAIL_TOKEN = re.compile(rf"(?P<at>{_AT})|(?P<dot>{_DOT})|(?P<word>[\w+\-]+)|\s+|.", re.IGNORECASE | re.DOTALL)
_BARE_AT = re.compile(r"\s+at\s+", re.IGNORECASE)
_TOP_LEVEL = re.compile(r"[^\W\d_]{2,}")
# After « at » and a single ordinary word, an address needs a digit, « _ », « + » or « - » in
# that word, a domain written with real dots, or a mail domain's usual ending.
_ADDRESS_LOOKING = re.compile(r"[\d_+\-]")
_MAIL_TOP_LEVEL = frozenset({"fr", "com", "net", "org", "eu", "be", "ch", "ca", "info", "io", "me"})


@dataclass(frozen=True)
class Normalised:
    """The normalised text and where each of its characters comes from.

    `offsets[i]` is the index in the original text where the stretch that normalised
    character `i` stands for begins; `offsets[len(text)]` is the original length. The
    stretches tile the original text: a dropped invisible character belongs to the stretch
    before it, and a character that NFKC spells out in several (« ﬃ » → « ffi ») gives them
    all the same start.
    """

    text: str
    offsets: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of normalised `[start, end)`, widened to whole original characters.

        >>> n = normalise("Raﬃn")
        >>> n.text, n.original_span(0, 3), n.original_span(3, 6)
        ('Raffin', (0, 3), (2, 4))
        """
        if start >= end:
            return self.offsets[start], self.offsets[start]
        # an end inside a character NFKC spelled out extends to that character's end
        while end < len(self.text) and self.offsets[end] == self.offsets[end - 1]:
            end += 1
        return self.offsets[start], self.offsets[end]


def normalise(text: str) -> Normalised:
    """Fold the Unicode variants a person reads through, keeping the map back to `text`.

    NFKC; format and other invisible characters dropped; any Unicode space as a plain space;
    digits of any script as ASCII digits; a letter O among digits as 0; a dot-like sign between
    digits (« 06·41 ») as a dot; spelled-out « at » / « point » in an e-mail-looking sequence as
    « @ » / « . ».

    >>> normalise("06\u200b12\u00a034 O5 ٦٧").text
    '0612 34 05 67'
    >>> normalise("jean.roux (at) free (point) fr").text
    'jean.roux@free.fr'
    >>> normalise("au point mort, un point sur les vœux").text
    'au point mort, un point sur les vœux'
    """
    chars: list[str] = []
    origins: list[int] = []
    for start, cluster in _clusters(text):
        start = start if chars else 0  # invisible characters at the very start belong to the first stretch
        for ch in unicodedata.normalize("NFKC", cluster):
            chars.append(_fold(ch))
            origins.append(start)
    _read_zeros(chars)
    _read_dots(chars)
    folded = "".join(chars)
    replacements = _spelled_emails(folded)
    if replacements:
        folded, origins = _replace(folded, origins, replacements)
    return Normalised(folded, (*origins, len(text)))


def _dropped(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category == "Cf" or ch in _IGNORABLE or (category == "Cc" and not ch.isspace())


def _clusters(text: str) -> Iterator[tuple[int, str]]:
    """(original start, characters) for each run NFKC must see whole (a letter and its accents),
    invisible characters left out."""
    start = -1
    cluster = ""
    for index, ch in enumerate(text):
        if _dropped(ch):
            continue
        if cluster and not ch.isascii() and _composes(cluster, ch):
            cluster += ch
            continue
        if cluster:
            yield start, cluster
        start, cluster = index, ch
    if cluster:
        yield start, cluster


def _composes(cluster: str, ch: str) -> bool:
    if unicodedata.combining(ch):
        return True
    return unicodedata.normalize("NFKC", cluster + ch) != unicodedata.normalize("NFKC", cluster) + unicodedata.normalize("NFKC", ch)


def _fold(ch: str) -> str:
    if ch.isascii():
        return ch
    if ch in _LINE_BREAKS:
        return "\n"
    if unicodedata.category(ch) == "Zs":
        return " "
    if ch in _HYPHENS:
        return "-"
    digit = unicodedata.digit(ch, None)
    return str(digit) if digit is not None else ch


def _read_zeros(chars: list[str]) -> None:
    """A run of letters O touching a digit (« O6 », « 2O24 »), or standing between digit groups
    (« 06 OO 34 »), is a zero; an O inside a word (« Léo », « OK ») is left alone."""
    text = "".join(chars)
    for match in _ZERO_RUN.finditer(text):
        start, end = match.span()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if before.isalpha() or after.isalpha():
            continue
        touches_digit = before.isdigit() or after.isdigit()
        between_groups = (
            bool(before) and before in " .-" and start >= 2 and text[start - 2].isdigit()
            and bool(after) and after in " .-" and end + 1 < len(text) and text[end + 1].isdigit()
        )
        if touches_digit or between_groups:
            chars[start:end] = "0" * (end - start)


def _read_dots(chars: list[str]) -> None:
    """A dot-like sign between digits (a space either side allowed) is a dot; elsewhere it stays."""
    for match in _DOT_BETWEEN_DIGITS.finditer("".join(chars)):
        chars[match.end() - 1] = "."


def _spelled_emails(text: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) for each spelled-out « at » / « point » of an e-mail-looking
    sequence: words joined by dots, an « at », then words joined by dots ending in a top-level
    domain. « at » after a single ordinary word must be followed by a domain that looks like one."""
    tokens = [(m.lastgroup or "", m.start(), m.end(), m.group(0)) for m in _EMAIL_TOKEN.finditer(text)]
    replacements = []
    for at, (kind, _, _, written) in enumerate(tokens):
        if kind != "at":
            continue
        first = _local_start(tokens, at)
        last = _domain_end(tokens, at)
        if first is None or last is None:
            continue
        if first == at - 1 and _BARE_AT.fullmatch(written) and not _ADDRESS_LOOKING.search(tokens[first][3]):
            real_dots = any(token[3] == "." for token in tokens[at + 1 : last])
            if not (real_dots or tokens[last][3].lower() in _MAIL_TOP_LEVEL):
                continue
        for part, start, end, part_written in tokens[first : last + 1]:
            replacement = {"at": "@", "dot": "."}.get(part)
            if replacement and part_written != replacement:
                replacements.append((start, end, replacement))
    return replacements


def _local_start(tokens: list[tuple[str, int, int, str]], at: int) -> int | None:
    """Index of the first word of the dotted words right before token `at`."""
    first = at - 1
    if first < 0 or tokens[first][0] != "word":
        return None
    while first >= 2 and tokens[first - 1][0] == "dot" and tokens[first - 2][0] == "word":
        first -= 2
    return first


def _domain_end(tokens: list[tuple[str, int, int, str]], at: int) -> int | None:
    """Index of the top-level domain word of the dotted words right after token `at`."""
    word = at + 1
    last = None
    while word < len(tokens) and tokens[word][0] == "word":
        if word > at + 1 and _TOP_LEVEL.fullmatch(tokens[word][3]):
            last = word
        if word + 2 < len(tokens) and tokens[word + 1][0] == "dot":
            if _SPACED_DOT.fullmatch(tokens[word + 1][3]) and tokens[word + 2][3].lower() not in _MAIL_TOP_LEVEL:
                break  # « marie@free. Merci », « …gmail. com. merci »: the sentence goes on, the address does not
            word += 2
        else:
            break
    return last


def _replace(text: str, origins: list[int], replacements: list[tuple[int, int, str]]) -> tuple[str, list[int]]:
    """Apply non-overlapping replacements in reading order; each new character starts where
    the replaced stretch started, so the stretch covers all that it replaces."""
    pieces: list[str] = []
    new_origins: list[int] = []
    cursor = 0
    for start, end, replacement in replacements:
        pieces.append(text[cursor:start])
        new_origins += origins[cursor:start]
        pieces.append(replacement)
        new_origins += [origins[start]] * len(replacement)
        cursor = end
    pieces.append(text[cursor:])
    new_origins += origins[cursor:]
    return "".join(pieces), new_origins
