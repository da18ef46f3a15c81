"""The staff pages in a real Chromium against a real `relais serve`: the quality page lists a
closed conversation and opens it on its drafts and diff, the stats page draws its figures, and
axe-core finds no serious or critical accessibility violation on either."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.web.conftest import serving
from tests.web.test_browser import browser  # noqa: F401 (the module's Chromium)
from tests.web.test_quality import conversation

pytestmark = [pytest.mark.integration, pytest.mark.slow]
PASSWORD = "un-mot-de-passe-solide"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def server(demo_home, tmp_path_factory):
    from relais.components import open_store
    from relais.settings import Settings

    home, _ = demo_home
    database = f"sqlite:///{tmp_path_factory.mktemp('quality-browser') / 'relais.sqlite'}"
    env = {**os.environ, "RELAIS_HOME": str(home), "RELAIS_SECRET_KEY": "navigateur", "RELAIS_DATABASE_URL": database}
    store = open_store(Settings(home=home, secret_key="navigateur", database_url=database))
    store.add_user("qualite", PASSWORD, "quality", [])
    counsellor = store.add_user("c.dupont", PASSWORD, "counsellor", ["parcoursup", "moel"])
    conversation(store, counsellor.id, "parcoursup", "Je suis <PERSONNE_1>, les vœux ?", "Vous pouvez formuler dix vœux.",
                 0.55, outcome="edited", answer="Bonjour <PERSONNE_1>, vous pouvez formuler jusqu'à dix vœux.", rating=4)
    conversation(store, counsellor.id, "moel", "Mon fils n'a pas de lycée", "Voir la fiche internat.", 0.2,
                 outcome="rejected", answer="Contactez le CIO de votre secteur.", reason="Hors sujet.")
    store.sessions.kw["bind"].dispose()
    with serving(env) as base:
        yield base


def staff_page(browser, base: str):  # noqa: F811
    page = browser.new_context(bypass_csp=True).new_page()  # axe is injected as a script of its own
    page.goto(base + "/login")
    page.fill("#login", "qualite")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_the_quality_page_opens_a_conversation_on_its_drafts_and_is_accessible(browser, server, tmp_path):  # noqa: F811
    page = staff_page(browser, server)
    page.goto(server + "/quality")
    expect(page.locator("#etat")).to_contain_text("2 conversation(s)")
    page.select_option("#outcome", "edited")
    page.click("#filtres button[type=submit]")
    expect(page.locator("#etat")).to_contain_text("1 conversation(s)")
    page.locator("#liste button").first.click()
    detail = page.locator("#detail-contenu")
    expect(detail).to_contain_text("Vous pouvez formuler dix vœux.")
    expect(detail.locator("ins").first).to_contain_text("Bonjour <PERSONNE_1>, vous")
    expect(detail).to_contain_text("modifié par c.dupont")
    page.screenshot(path=str(tmp_path / "quality.png"), full_page=True)
    assert serious_violations(page) == []


def test_the_stats_page_draws_the_figures_and_is_accessible(browser, server, tmp_path):  # noqa: F811
    page = staff_page(browser, server)
    page.goto(server + "/stats")
    expect(page.locator("#etat")).to_contain_text("Statistiques du")
    expect(page.locator("#figures table").first).to_contain_text("Tchat (conversations)")
    expect(page.locator("#figures")).to_contain_text("non mesuré")
    assert page.locator("#figures svg.chart").count() >= 5
    page.screenshot(path=str(tmp_path / "stats.png"), full_page=True)
    assert serious_violations(page) == []
