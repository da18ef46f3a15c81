"""The French scrubber on the real presidio engine with the French spaCy model."""

import pytest

from assistant.pii import MappingStore, PseudonymMap, ScrubFailed
from assistant.pii.checksums import iban_is_valid, nir_is_valid

pytestmark = pytest.mark.unit


def found(scrubber, text):
    return [(e.type, text[e.start : e.end]) for e in scrubber.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bonjour je suis Léa Martin et j'ai une question", [("PERSONNE", "Léa Martin")]),
        ("je m'appelle kevin dupont", [("PERSONNE", "kevin dupont")]),
        ("mon fils lucas est en terminale", [("PERSONNE", "lucas")]),
        ("Mme Benali souhaite un rendez-vous", [("PERSONNE", "Benali")]),
        ("écrivez-moi à aicha.diallo@gmail.com svp", [("EMAIL", "aicha.diallo@gmail.com")]),
        ("née le 12/03/2008 à Lyon", [("DATE_NAISSANCE", "12/03/2008")]),
        ("ma date de naissance est le 3 mars 2007", [("DATE_NAISSANCE", "3 mars 2007")]),
        ("mon INE 1234567890A ne marche pas", [("INE", "1234567890A")]),
        ("INE: 123456789ab", [("INE", "123456789ab")]),
        ("mon numéro de dossier parcoursup est 1234567", [("DOSSIER", "1234567")]),
        ("dossier n° 98765432 sur mon master", [("DOSSIER", "98765432")]),
        ("j'habite 12 bis rue des Lilas 69003 Lyon", [("ADRESSE", "12 bis rue des Lilas 69003 Lyon")]),
    ],
)
def test_each_french_type_is_found(scrubber, text, expected):
    assert found(scrubber, text) == expected


@pytest.mark.parametrize(
    "phone",
    ["06 12 34 56 78", "0612345678", "06.12.34.56.78", "06-12-34-56-78", "+33 6 12 34 56 78", "+33612345678",
     "0033 6 12 34 56 78", "+33 (0)6 12 34 56 78", "01 45 67 89 10", "09 87 65 43 21"],
)
def test_every_common_phone_format_is_found(scrubber, phone):
    assert found(scrubber, f"rappelez moi au {phone} merci") == [("TELEPHONE", phone)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("moi c'est louna, je voudrais savoir pour le bts", "louna"),
        ("slt ici eliott, c'est pour parcoursup", "eliott"),
        ("c bilal. jai toujours pas de réponse", "bilal"),
        ("ayoub colin au tel ce matin, rappelez moi", "ayoub colin"),
        ("le compte est au nom de sophie garnier mais c'est ma fille", "sophie garnier"),
        ("c'est bon j'ai compris, merci, louna", "louna"),
        ("jsuis naël et jveux faire un cap", "naël"),
        ("Timéo ici, terminale générale", "Timéo"),
        ("yasmine en seconde pro, je peux changer ?", "yasmine"),
        ("Ma question porte sur la CVEC.\n\nBien à vous,\nClémence Roux", "Clémence Roux"),
        ("Je joins mon relevé.\n\nInès Faure", "Inès Faure"),
        ("NOM : TRAN\nPrénom : Minh", "TRAN"),
    ],
)
def test_names_written_informally_are_found_by_the_first_name_gazetteer(scrubber, text, name):
    assert ("PERSONNE", name) in found(scrubber, text)


@pytest.mark.parametrize(
    "text",
    ["ya combien de places en BTS ?", "jai appelé le rectorat hier", "hey, c'est possible en alternance ?",
     "iban demandé pour la bourse, c'est normal ?", "salut, c'est grave si je rate la date ?",
     "je suis perdue avec les vœux", "c bon pour le dossier ?"],
)
def test_chat_words_that_are_names_somewhere_stay_visible(scrubber, text):
    assert [kind for kind, _ in found(scrubber, text) if kind == "PERSONNE"] == []


def test_nir_needs_a_valid_key_and_iban_a_valid_key_or_length(scrubber):
    assert nir_is_valid("2 08 03 69 123 456 46") and not nir_is_valid("2 08 03 69 123 456 47")
    assert nir_is_valid("1 85 05 2A 123 456 33")  # Corsica
    assert found(scrubber, "NIR 2 08 03 69 123 456 46") == [("NIR", "2 08 03 69 123 456 46")]
    assert found(scrubber, "sécu 185052A12345633") == [("NIR", "185052A12345633")]
    assert iban_is_valid("FR76 3000 6000 0112 3456 7890 189")
    assert found(scrubber, "iban fr76 3000 6000 0112 3456 7890 189") == [("IBAN", "fr76 3000 6000 0112 3456 7890 189")]
    # a bad key with its country's length is still someone's account, mistyped (round 7); a wrong length is no IBAN
    assert found(scrubber, "iban FR7630006000011234567890188") == [("IBAN", "FR7630006000011234567890188")]
    assert found(scrubber, "iban FR76300060000112345678901") == []


@pytest.mark.parametrize(
    "text",
    [
        "Je suis en terminale au lycée Jean Moulin à Lyon et je veux faire un BTS MCO",
        "est-ce que l'IFSI de Saint-Denis prend des bacs pro ? et le CROUS ?",
        "la date limite c'est le 14 mars 2026 ou le 2 avril ?",
        "j'ai appelé le numéro vert 0 800 400 070 mais personne",
        "je suis au collège Victor Hugo à Aix-en-Provence, j'ai 14 de moyenne",
        "rang 245 sur 1200 en liste d'attente pour la licence STAPS à Nancy",
        "je vis dans le 93, le bac 2026 c'est dans combien de temps",
        # "c'est" / "je suis" + two lowercase words are a name only when those words can be one
        "On lui réclame une attestation de contribution, c'est quoi exactement et c'est obligatoire ?",
        "Il touchera combien en débutant ? Et c'est vrai qu'ils sont logés ?",
        "je suis vraiment perdue, c'est grave docteur ?",
    ],
)
def test_the_substance_of_questions_stays_visible(scrubber, text):
    assert found(scrubber, text) == []


def test_placeholders_are_stable_within_a_conversation_and_restored(scrubber):
    mapping = PseudonymMap("conv-1")
    first = scrubber.scrub("je suis Inès Haddad, mon tel 06 12 34 56 78", mapping)
    second = scrubber.scrub("vous pouvez aussi m'appeler au +33612345678, Inès Haddad", mapping)
    assert first.text == "je suis <PERSONNE_1>, mon tel <TELEPHONE_1>"
    assert second.text == "vous pouvez aussi m'appeler au <TELEPHONE_1>, <PERSONNE_1>"
    assert mapping.restore(second.text) == "vous pouvez aussi m'appeler au 06 12 34 56 78, Inès Haddad"
    other = scrubber.scrub("je suis Inès Haddad", PseudonymMap("conv-2"))
    assert other.text == "je suis <PERSONNE_1>"  # another conversation has its own mapping


def test_a_user_cannot_forge_a_placeholder(scrubber):
    mapping = PseudonymMap("conv")
    scrubber.scrub("je suis Léa Martin", mapping)
    forged = scrubber.scrub("montrez-moi <PERSONNE_1>", PseudonymMap("other")).text
    assert "<PERSONNE_1>" not in forged
    assert mapping.restore(forged) == forged


def test_mappings_expire_and_can_be_erased():
    now = [0.0]
    store = MappingStore(ttl_seconds=60, clock=lambda: now[0])
    store.get("a").placeholder("PERSONNE", "Léa")
    now[0] = 30
    assert "a" in store
    now[0] = 100
    assert "a" not in store
    store.get("b")
    store.forget("b")
    assert "b" not in store


def test_scrubbing_failure_fails_closed(scrubber, monkeypatch):
    def broken(**kwargs):
        raise MemoryError("spaCy died")

    monkeypatch.setattr(scrubber._analyzer, "analyze", broken)
    with pytest.raises(ScrubFailed):
        scrubber.scrub("je suis Léa Martin", PseudonymMap("x"))


@pytest.mark.parametrize("repeated", ["Mario, ", "Jean Paul et ", "j'hésite entre Jean Moulin et "])
def test_the_work_on_a_hostile_message_grows_linearly_with_its_length(scrubber, monkeypatch, repeated):
    """The widget is public: a message repeating one name (up to the 2,000 characters a message may hold)
    must not cost the square of its length. Counted in name checks, not timed."""
    import assistant.pii.context as context
    import assistant.pii.scrubber as scrubber_module

    calls = {"n": 0}
    for module, name in ((scrubber_module, "_plausible_name"), (scrubber_module, "no_one_uncued"), (context, "names_no_person")):
        real = getattr(module, name)

        def counted(*args, _real=real):
            calls["n"] += 1
            return _real(*args)

        monkeypatch.setattr(module, name, counted)

    def work(times: int) -> int:
        calls["n"] = 0
        scrubber.find(repeated * times + "…")
        return calls["n"]

    assert work(80) <= 2.5 * max(work(40), 1)
