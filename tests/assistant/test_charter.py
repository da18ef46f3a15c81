import pytest

from assistant.charter import check, inclusive_title_flags, steering_flags
from assistant.types import Citation
from knowledge.types import Hit

pytestmark = pytest.mark.unit
NURSE = Hit("ideo-metier:MET.38", "ideo-metier", "infirmier/ère", 1.0, None, names=("infirmière", "infirmier"))


def codes(flags):
    return [f.code for f in flags]


def test_a_gendered_job_title_is_flagged_unless_the_user_used_it():
    assert codes(inclusive_title_flags("Pour devenir infirmier, il faut le DE.", "comment faire ce metier", [NURSE])) == ["titre_non_inclusif"]
    assert inclusive_title_flags("Pour devenir infirmière, il faut le DE.", "je veux devenir infirmière", [NURSE]) == []
    assert inclusive_title_flags("La fiche « infirmier/ère » dit que l'infirmier…", "question", [NURSE]) == []


@pytest.mark.parametrize(
    "text",
    [
        "Ce métier est plutôt pour les garçons.",
        "La mécanique, c'est un métier d'homme… enfin un métier pour hommes.",
        "Cette formation est déconseillée aux personnes handicapées.",
        "Vu votre origine, visez plutôt un CAP.",
        "En tant que fille, tu seras plus à l'aise en ST2S.",
    ],
)
def test_steering_by_gender_origin_disability_or_place_is_flagged(text):
    assert codes(steering_flags(text)) == ["orientation_discriminante"]


def test_neutral_guidance_is_not_flagged():
    assert steering_flags("Ce métier est ouvert à toutes et à tous ; un référent handicap peut vous accompagner.") == []
    assert steering_flags("Bon à savoir : en tant que salarié, vous avez droit à des congés payés.") == []


def test_a_draft_without_source_or_with_personal_data_is_flagged(scrubber):
    flags = check("Bonjour, appelez Léa Martin au 06 12 34 56 78.", "q", [], [], abstained=False, find=scrubber.find)
    assert codes(flags) == ["sans_source", "donnees_personnelles"]
    cited = [Citation("oscar:x", "x", None, "oscar")]
    assert check("Bonjour <PERSONNE_1>, voici la réponse.", "q", cited, [], abstained=False, find=scrubber.find) == []
    assert check("Je n'ai pas trouvé.", "q", [], [], abstained=True, find=scrubber.find) == []


def test_a_heading_label_of_the_source_is_not_personal_data(scrubber):
    cited = [Citation("oscar:moel-but", "Le BUT", None, "oscar")]
    body = "Bonjour,\n\nCandidature : sur Parcoursup.\n\nAprès le BUT : master ou vie active."
    assert scrubber.find(body) == []  # the French NER alone takes "Candidature" for a name; no given name, no cue: a word
    assert check(body, "q", cited, [], abstained=False, find=scrubber.find) == []
    named = body + "\nContactez Mme Léa Martin."
    assert codes(check(named, "q", cited, [], abstained=False, find=scrubber.find)) == ["donnees_personnelles"]
