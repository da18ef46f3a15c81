import pytest

from ingest.html import clean_text, html_to_text

pytestmark = pytest.mark.unit


def test_headings_paragraphs_and_lists_become_readable_text():
    fragment = """
            <h5>Calme et réactif</h5>
            <p>Ce métier demande <strong>un sens aigu</strong> des responsabilités.</p>
            <ul><li>première qualité</li><li>seconde qualité</li></ul>"""
    assert html_to_text(fragment) == (
        "Calme et réactif\n\nCe métier demande un sens aigu des responsabilités."
        "\n\n- première qualité\n\n- seconde qualité"
    )


def test_control_characters_and_odd_spaces_are_cleaned():
    assert clean_text("  boulanger\x81\u00a0 pâtissier \n") == "boulanger pâtissier"


def test_empty_or_missing_html_gives_empty_text():
    assert html_to_text(None) == ""
    assert html_to_text("   \n  ") == ""
