"""Personal data is hidden whatever Unicode it is written in, and only it is touched.

Each message below is written the way an attacker (or a copy from a formatted page) would
write it. For each: the entity is found, its span maps back exactly to the user's own
characters, the stored text keeps everything outside the placeholder byte for byte, no
character of the value is left, and restoring the placeholder gives back what was written.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from assistant.pii import PseudonymMap
from assistant.pii.pseudonyms import PLACEHOLDER

pytestmark = pytest.mark.unit

NBSP, NNBSP, ZWSP, ZWNJ, ZWJ, WJ, BOM, SHY, RLO, PDF = (
    "\u00a0", "\u202f", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u202c",
)


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) - ord("0") + 0xFF10) if ch.isdigit() else ch for ch in text)


def arabic_indic(text: str) -> str:
    return "".join(chr(ord(ch) - ord("0") + 0x0660) if ch.isdigit() else ch for ch in text)


def ascii_folded(text: str) -> str:
    """What a reader sees: compatibility forms folded, invisible characters gone, any digit as ASCII."""
    text = "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch) != "Cf")
    return "".join(str(unicodedata.digit(ch)) if unicodedata.digit(ch, None) is not None else ch for ch in text)


def assert_hidden(scrubber, text: str, value: str, kind: str) -> None:
    """`value` (the user's own characters, once in `text`) is found, replaced whole, and restored."""
    start = text.index(value)
    end = start + len(value)
    assert [(e.type, e.start, e.end) for e in scrubber.find(text)] == [(kind, start, end)]

    mapping = PseudonymMap("unicode")
    stored = scrubber.scrub(text, mapping)
    placeholder = f"<{kind}_1>"
    assert stored.text == text[:start] + placeholder + text[end:]  # the rest is byte-identical
    assert [(e.type, e.start, e.end, e.placeholder) for e in stored.entities] == [(kind, start, end, placeholder)]

    rest = ascii_folded(PLACEHOLDER.sub(" ", stored.text)).lower()
    pieces = [p for p in re.findall(r"[^\W_]+", ascii_folded(value).lower()) if len(p) >= 2 or p.isdigit()]
    assert not [p for p in pieces if re.search(rf"(?<![^\W_]){re.escape(p)}(?![^\W_])", rest)], stored.text
    if any(ch.isdigit() for ch in ascii_folded(value)):
        assert not any(unicodedata.digit(ch, None) is not None for ch in PLACEHOLDER.sub("", stored.text))

    assert mapping.restore(stored.text) == text  # the counsellor sees exactly what was written


# -- no-break spaces and other Unicode spaces -------------------------------------------------


def test_a_nir_copied_with_no_break_spaces_is_hidden(scrubber):
    nir = NBSP.join(["1", "92", "07", "75", "056", "118", "73"])
    assert_hidden(scrubber, f"Voici mon numéro de sécurité sociale : {nir}, pour la bourse.", nir, "NIR")


def test_a_nir_with_narrow_no_break_spaces_is_hidden(scrubber):
    nir = NNBSP.join(["2", "87", "05", "13", "204", "067", "43"])
    assert_hidden(scrubber, f"sécu {nir} merci de vérifier mon inscription", nir, "NIR")


def test_a_phone_with_thin_and_ideographic_spaces_is_hidden(scrubber):
    phone = "07\u200981\u300022\u200a40\u200513"
    assert_hidden(scrubber, f"vous pouvez me joindre au {phone} le soir", phone, "TELEPHONE")


# -- invisible (format) characters --------------------------------------------------------------


def test_zero_width_characters_inside_a_phone_number_are_seen_through(scrubber):
    phone = f"06{ZWSP}12{ZWJ}34{WJ}56{ZWNJ}78"
    assert_hidden(scrubber, f"rappelez moi au {phone} svp", phone, "TELEPHONE")


def test_bidi_controls_and_a_soft_hyphen_inside_a_phone_number_are_seen_through(scrubber):
    phone = f"06 4{SHY}5 {RLO}12{PDF} 78 3{BOM}3"
    assert_hidden(scrubber, f"mon portable : {phone}. Merci", phone, "TELEPHONE")


def test_zero_width_characters_inside_an_ine_are_seen_through(scrubber):
    ine = f"0987{ZWSP}65432{ZWNJ}1K"
    assert_hidden(scrubber, f"mon INE {ine} est refusé par le site", ine, "INE")


def test_zero_width_characters_inside_a_name_are_seen_through(scrubber):
    name = f"Ma{ZWSP}this Le{ZWJ}gr{SHY}and"
    assert_hidden(scrubber, f"Bonjour, je m'appelle {name} et je cherche un BTS.", name, "PERSONNE")


def test_a_span_ending_on_an_invisible_character_replaces_it_too(scrubber):
    phone = f"0612345678{ZWSP}"
    text = f"tel {phone} merci"
    assert_hidden(scrubber, text, phone, "TELEPHONE")


# -- digits of other scripts ----------------------------------------------------------------------


def test_full_width_digits_in_a_phone_number_are_read_as_digits(scrubber):
    phone = full_width("07 82 41 36 90")
    assert_hidden(scrubber, f"appelez ma mère au {phone} svp", phone, "TELEPHONE")


def test_arabic_indic_digits_in_a_phone_number_are_read_as_digits(scrubber):
    phone = arabic_indic("06 45 12 78 33")
    assert_hidden(scrubber, f"mon numéro est le {phone}, je réponds le soir", phone, "TELEPHONE")


def test_full_width_digits_in_a_nir_are_read_as_digits(scrubber):
    nir = full_width("2 87 05 13 204 067 43")
    assert_hidden(scrubber, f"numéro de sécu : {nir}", nir, "NIR")


def test_eastern_arabic_indic_digits_in_an_ine_are_read_as_digits(scrubber):
    ine = "".join(chr(ord(ch) - ord("0") + 0x06F0) if ch.isdigit() else ch for ch in "1357924680Z")
    assert_hidden(scrubber, f"INE : {ine} (je l'ai recopié de mon bulletin)", ine, "INE")


# -- dot-like signs between digit groups ------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "06\u00b741\u00b722\u00b738\u00b790",  # middle dot
        "06\u202241\u202222\u202238\u202290",  # bullet
        "07\u202781\u202722\u202740\u202713",  # hyphenation point
        "06 \u2219 41 \u2219 22 \u2219 38 \u2219 90",  # bullet operator, spaced
        "05\u22c556\u22c541\u22c522\u22c538",  # dot operator
        "06\u30fb41\u30fb22\u30fb38\u30fb90",  # katakana middle dot
    ],
)
def test_a_phone_number_grouped_with_dot_like_signs_is_hidden(scrubber, phone):
    assert_hidden(scrubber, f"vous pouvez me rappeler au {phone} merci", phone, "TELEPHONE")


def test_a_dot_like_sign_between_words_stays_as_written(scrubber):
    text = "Lycée général\u00b7technologique \u2022 options : arts\u00b7sport, 3\u00b7 rentrée"
    assert scrubber.find(text) == []
    assert scrubber.scrub(text, PseudonymMap("plain")).text == text


# -- the letter O among digits ----------------------------------------------------------------------


def test_a_letter_o_for_a_zero_in_a_phone_number_is_read_as_zero(scrubber):
    phone = "O6 23 45 67 89"
    assert_hidden(scrubber, f"rappelez moi au {phone} demain", phone, "TELEPHONE")


def test_lowercase_o_for_zeros_in_a_dotted_phone_number_is_read_as_zero(scrubber):
    phone = "o7.81.22.4o.13"
    assert_hidden(scrubber, f"mon tel c {phone}", phone, "TELEPHONE")


def test_letter_o_groups_in_a_nir_are_read_as_zeros(scrubber):
    nir = "1 O4 O2 2O OO4 O77 19"
    assert_hidden(scrubber, f"voici mon NIR : {nir}", nir, "NIR")


def test_a_birth_date_with_letter_o_for_zeros_is_hidden(scrubber):
    date = "12/O3/2OO8"
    assert_hidden(scrubber, f"je suis né le {date} à Rennes", date, "DATE_NAISSANCE")


# -- spelled-out e-mail addresses -------------------------------------------------------------------


def test_an_address_written_with_at_and_point_in_brackets_is_hidden(scrubber):
    email = "camille.roux (at) free (point) fr"
    assert_hidden(scrubber, f"répondez-moi à {email} s'il vous plaît", email, "EMAIL")


def test_an_address_written_with_arobase_and_point_is_hidden(scrubber):
    email = "yanis.benamar arobase gmail point com"
    assert_hidden(scrubber, f"mon mail : {email} merci", email, "EMAIL")


def test_an_address_written_with_at_and_dot_in_square_brackets_is_hidden(scrubber):
    email = "theo_girard[at]laposte[dot]net"
    assert_hidden(scrubber, f"Contact : {email}. Je suis en terminale.", email, "EMAIL")


def test_an_address_written_with_upper_case_at_and_dot_words_is_hidden(scrubber):
    email = "nina-lopez AT orange DOT fr"
    assert_hidden(scrubber, f"écrivez à {email} pour la réponse", email, "EMAIL")


def test_an_address_written_with_a_bare_at_and_point_is_hidden(scrubber):
    email = "lina at sfr point fr"
    assert_hidden(scrubber, f"pour me répondre : {email} merci beaucoup", email, "EMAIL")


def test_an_address_written_with_chez_in_brackets_is_hidden(scrubber):
    email = "enzo.morin [chez] wanadoo [point] fr"
    assert_hidden(scrubber, f"mon courriel {email} si besoin", email, "EMAIL")


def test_an_address_with_a_full_width_at_sign_is_hidden(scrubber):
    email = "lou.martin＠hotmail．fr"
    assert_hidden(scrubber, f"mon adresse {email} svp", email, "EMAIL")


def test_an_address_with_a_soft_hyphen_and_a_dotted_local_part_in_words_is_hidden(scrubber):
    email = f"jules point ber{SHY}nard arobase yahoo point fr"
    assert_hidden(scrubber, f"adresse : {email}", email, "EMAIL")


# -- length-changing normalisation maps back exactly --------------------------------------------------


def test_a_name_written_with_a_ligature_maps_back_to_the_ligature(scrubber):
    name = "Soﬁane Raﬃn"  # "ﬁ" and "ﬃ" are single characters that NFKC spells out
    assert_hidden(scrubber, f"Bonjour, je m'appelle {name} et je voudrais un rendez-vous.", name, "PERSONNE")


def test_a_name_with_decomposed_accents_maps_back_to_the_user_s_characters(scrubber):
    name = unicodedata.normalize("NFD", "Léonie Bézier")  # "e" + combining accent, as some keyboards send
    assert_hidden(scrubber, f"je m'appelle {name} et je suis en seconde", name, "PERSONNE")


def test_a_value_seen_before_keeps_its_placeholder_when_written_in_other_digits(scrubber):
    mapping = PseudonymMap("same-number")
    first = scrubber.scrub("mon tel 06 12 34 56 78", mapping)
    again = full_width("06 12 34 56 78")
    second = scrubber.scrub(f"je redonne mon numéro : {again}", mapping)
    assert first.text == "mon tel <TELEPHONE_1>"
    assert second.text == "je redonne mon numéro : <TELEPHONE_1>"


def test_a_name_seen_before_is_found_again_through_a_zero_width_space(scrubber):
    mapping = PseudonymMap("same-name")
    scrubber.scrub("Bonjour, je suis Maëlys Caron.", mapping)
    second = scrubber.scrub(f"c'est encore Ma{ZWSP}ëlys, vous avez vu mon message ?", mapping)
    # the first name alone has a placeholder of its own: restored as written, not as the full name
    assert second.text == "c'est encore <PERSONNE_2>, vous avez vu mon message ?"
    assert mapping.restore(second.text) == f"c'est encore Ma{ZWSP}ëlys, vous avez vu mon message ?"


# -- ordinary text is untouched ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Je voudrais m’inscrire en prépa « économique et commerciale » à Besançon, c’est possible ?",
        "Bonjour 😊 mon dossier est complet 👍🏽 et ma famille 👨‍👩‍👧 est d’accord ❤️",
        "Je suis au point mort pour mes vœux, je ne sais plus quoi faire.",
        "Pouvez-vous faire un point sur les vœux en attente ? Merci.",
        "Le mot « at » se lit « à » en anglais, et le point final manque.",
        "Je suis chez moi, point barre, et je révise at home comme on dit.",
        "Le bac 2O26 aura lieu en juin, c’est bien ça ?",
        "Je suis en terminale au lycée\u00a0Victor\u00a0Hugo à Besançon\u202f!",
        "Mon fils est au collège Jean\u200b Moulin et vise un CAP.",
        "Prix : 1\u202f500\u00a0€ par an ? et l’ﬁnancement par la région ?",
    ],
)
def test_ordinary_text_is_left_as_written(scrubber, text):
    assert scrubber.find(text) == []
    assert scrubber.scrub(text, PseudonymMap("plain")).text == text


# -- the normalisation itself ---------------------------------------------------------------------------


def test_normalisation_folds_what_a_reader_would_not_see_and_keeps_an_exact_offset_map():
    from assistant.pii.normalise import normalise

    text = f"Raﬃn{ZWSP} tel O6\u00a0١٢ mail a.b (at) c [dot] fr"
    normalised = normalise(text)
    assert normalised.text == "Raffin tel 06 12 mail a.b@c.fr"
    assert len(normalised.offsets) == len(normalised.text) + 1
    assert normalised.offsets[0] == 0 and normalised.offsets[-1] == len(text)
    assert list(normalised.offsets) == sorted(normalised.offsets)
    # every normalised span maps back to whole original characters
    assert text[slice(*normalised.original_span(0, 6))] == f"Raﬃn{ZWSP}"
    assert text[slice(*normalised.original_span(2, 3))] == "ﬃ"  # inside the ligature: the whole of it
    assert text[slice(*normalised.original_span(11, 16))] == "O6\u00a0١٢"
    at = normalised.text.index("@")
    assert text[slice(*normalised.original_span(at, at + 1))] == " (at) "
    assert text[slice(*normalised.original_span(at - 3, len(normalised.text)))] == "a.b (at) c [dot] fr"


def test_normalisation_leaves_plain_text_as_it_is():
    from assistant.pii.normalise import normalise

    text = "Bonjour, je veux faire un BTS à Lyon en 2026.\nMerci !"
    normalised = normalise(text)
    assert normalised.text == text
    assert list(normalised.offsets) == list(range(len(text) + 1))


def test_normalisation_of_nothing_and_of_only_invisible_characters():
    from assistant.pii.normalise import normalise

    assert normalise("").text == "" and list(normalise("").offsets) == [0]
    only = normalise(ZWSP + BOM)
    assert only.text == "" and list(only.offsets) == [2]


def test_the_normalise_module_examples_run():
    import doctest

    from assistant.pii import normalise

    assert doctest.testmod(normalise).failed == 0


def test_the_offset_map_holds_for_any_mixture_of_variants():
    import random

    from assistant.pii.normalise import normalise

    pieces = ["a", "é", "e\u0301", "ﬃ", "０", "٣", "O", "o", " ", NBSP, NNBSP, ZWSP, ZWJ, SHY, RLO, BOM, "\n", "@",
              "(at)", " arobase ", " point ", "[dot]", ".", "-", "\u2011", "1", "7", "x", "’", "😊", "\u1100\u1161"]
    draw = random.Random(20260101)
    for _ in range(500):
        text = "".join(draw.choice(pieces) for _ in range(draw.randrange(0, 30)))
        normalised = normalise(text)
        offsets = list(normalised.offsets)
        assert len(offsets) == len(normalised.text) + 1 and offsets[-1] == len(text)
        assert offsets == sorted(offsets) and (not normalised.text or offsets[0] == 0), repr(text)
        assert normalised.original_span(0, len(normalised.text)) == ((0, len(text)) if normalised.text else (len(text), len(text)))
        for start in range(len(normalised.text)):
            begin, end = normalised.original_span(start, start + 1)
            assert 0 <= begin < end <= len(text), repr(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("vous pouvez m'écrire à paul.girard@hotmail. fr merci", "paul.girard@hotmail. fr"),
        ("mail : lea.roux@gmail .com", "lea.roux@gmail .com"),
        ("mon mail lucas.bernard@gmail. com. merci", "lucas.bernard@gmail. com"),
    ],
)
def test_an_address_broken_by_a_space_around_its_dot_is_hidden(scrubber, text, value):
    assert_hidden(scrubber, text, value, "EMAIL")


def test_a_sentence_after_an_address_without_ending_stays_visible(scrubber):
    text = "j'ai écrit à contact@lycee. Merci de me répondre"
    assert [e for e in scrubber.find(text) if text[e.start : e.end].startswith("Merci") or "Merci" in text[e.start : e.end]] == []


def test_an_address_written_with_a_in_brackets_is_hidden(scrubber):
    email = "salma.bennani (a) gmail.com"
    assert_hidden(scrubber, f"Mon mail {email} merci", email, "EMAIL")


@pytest.mark.parametrize(
    ("text", "value"),
    [("lucas.bernard@gmail,com pour la réponse", "lucas.bernard@gmail,com"), ("mail : lucas.bernard@gmail merci", "lucas.bernard@gmail")],
)
def test_an_address_with_a_comma_for_its_dot_or_without_its_ending_is_hidden(scrubber, text, value):
    assert_hidden(scrubber, text, value, "EMAIL")
