"""The public widget in a real Chromium against a real `relais serve` (issue 13, the public's side):
the panel and its bubbles, formatted answers that run nothing, the panel back after a reload, the
notices, the optional profile, the offline form in French, « Je donne mon avis », a phone's width
and axe-core. The counsellor acts through a raw console socket, so these tests do not depend on the
console's page. Screenshots are saved under the test's tmp dir."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.conftest import ROOT
from tests.web.conftest import serving
from tests.web.test_browser import PASSWORD, browser  # noqa: F401 (module fixture)

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(300)]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 667}


@pytest.fixture(scope="module")
def server(demo_home, tmp_path_factory):
    """`relais serve` where Mon orientation en ligne is always open and Mon Master is closed
    today, open tomorrow from 9:00."""
    home, _ = demo_home
    database = tmp_path_factory.mktemp("widget") / "relais.sqlite"
    tomorrow = (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(days=1)).weekday()
    env = {**os.environ, "RELAIS_HOME": str(home), "RELAIS_SECRET_KEY": "navigateur-widget",
           "RELAIS_DATABASE_URL": f"sqlite:///{database}",
           "RELAIS_OPENING_HOURS": json.dumps({"monmaster": {"days": [tomorrow], "open": "09:00", "close": "18:00"}})}
    subprocess.run([sys.executable, "-m", "relais", "users", "add", "conseil", "--role", "counsellor",
                    "--service", "moel"], input=f"{PASSWORD}\n{PASSWORD}\n", env=env, cwd=ROOT, check=True,
                   capture_output=True, text=True)
    with serving(env) as base:
        engine = create_engine(f"sqlite:///{database}")
        yield {"base": base, "db": engine}
        engine.dispose()


@pytest.fixture
def shots(tmp_path):
    """Where this test's screenshots go (kept with pytest's tmp dirs)."""
    def save(page, name: str) -> None:
        page.screenshot(path=str(tmp_path / f"{name}.png"))
    return save


class Counsellor:
    """A logged-in counsellor acting with raw console frames (take, typing, send, close)."""

    def __init__(self, browser, base: str) -> None:  # noqa: F811
        self.page = browser.new_context().new_page()
        self.page.goto(base + "/login")
        self.page.fill("#login", "conseil")
        self.page.fill("#password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(base + "/console")
        self.page.evaluate("""() => new Promise((resolve) => {
            window.testSocket = new WebSocket(location.origin.replace('http', 'ws') + '/console/ws');
            window.testFrames = [];
            window.testSocket.onmessage = (event) => window.testFrames.push(JSON.parse(event.data));
            window.testSocket.onopen = resolve; })""")
        self.keys = 0

    def act(self, frame: dict) -> None:
        self.page.evaluate("(frame) => window.testSocket.send(JSON.stringify(frame))", frame)

    def answer(self, conversation: str, text: str) -> None:
        self.keys += 1
        self.act({"type": "send", "conversation": conversation, "text": text, "key": f"test-{self.keys}"})
        self.page.wait_for_function("(key) => window.testFrames.some((f) => f.type === 'ack' && f.key === key)",
                                    arg=f"test-{self.keys}")


def open_widget(browser, base: str, **context):  # noqa: F811
    """The demo page with the tchat open, on Mon orientation en ligne (the counsellor's service)."""
    page = browser.new_context(**context).new_page()
    page.goto(base + "/")
    page.get_by_role("button", name="Poser une question").click()
    page.get_by_label("Service", exact=True).select_option("moel")
    return page


def ask(public, question: str) -> str:
    """The public writes; the conversation's id once the message is stored."""
    public.get_by_label("Votre message").fill(question)
    public.keyboard.press("Enter")
    public.locator(".relais-user:not(.relais-pending)", has_text=question).wait_for()
    return public.evaluate("JSON.parse(localStorage.getItem('relais-conversation')).conversation")


def serious_violations(page, selector: str = ".relais-widget") -> list[dict]:
    """axe-core's serious and critical violations in the widget (the page needs bypass_csp)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("(selector) => axe.run(document.querySelector(selector)).then((r) => r.violations)", selector)
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in result if v["impact"] in ("serious", "critical")]


ANSWER = ("Voici comment faire :\n\n- consultez [les fiches formations](https://www.onisep.fr/formations) ;\n"
          "- **contactez** un centre d'information et d'orientation.\n\n1. choisissez vos vœux\n2. confirmez-les\n\n"
          "Le calendrier officiel : https://www.parcoursup.fr.")


def test_a_formatted_answer_with_clickable_links_times_typing_and_a_live_region(browser, server, shots):  # noqa: F811
    public = open_widget(browser, server["base"], bypass_csp=True)  # CSP off for axe only: the widget needs no exception
    panel = public.locator(".relais-panel")
    expect(panel.get_by_role("heading", name="Mon orientation en ligne")).to_be_visible()
    expect(panel).to_contain_text("Réponses rédigées avec l'aide d'un outil d'intelligence artificielle et toujours "
                                  "vérifiées par un conseiller de l'Onisep")
    data_link = panel.get_by_role("link", name="Vos données personnelles")
    assert data_link.get_attribute("href").endswith("/donnees-personnelles")
    assert public.request.get(data_link.get_attribute("href")).ok
    conversation = ask(public, "Bonjour, comment faire mes vœux ?")

    counsellor = Counsellor(browser, server["base"])
    counsellor.act({"type": "take", "conversation": conversation})
    counsellor.act({"type": "typing", "conversation": conversation})
    expect(public.locator(".relais-typing")).to_have_text("Un conseiller écrit…")
    counsellor.answer(conversation, ANSWER)

    answer = public.locator(".relais-counsellor").last
    expect(answer.locator("ul > li")).to_have_count(2)
    expect(answer.locator("ol > li")).to_have_count(2)
    expect(answer.locator("strong")).to_have_text("contactez")
    link = answer.get_by_role("link", name="les fiches formations")
    assert link.get_attribute("href") == "https://www.onisep.fr/formations"
    assert (link.get_attribute("target"), link.get_attribute("rel")) == ("_blank", "noopener noreferrer")
    assert answer.get_by_role("link", name="https://www.parcoursup.fr").get_attribute("href") == "https://www.parcoursup.fr"
    expect(public.locator(".relais-typing")).to_be_hidden()  # the answer came: nobody is typing any more
    # the answer is inside the live region, with its time; the public's bubble on the other side
    assert public.locator("[role=log][aria-live=polite] .relais-counsellor").count() >= 1
    expect(answer.locator("time")).to_have_text(re.compile(r"^\d{2}:\d{2}$"))
    stamped = datetime.fromisoformat(answer.locator("time").get_attribute("datetime").replace("Z", "+00:00"))
    assert abs(stamped - datetime.now(ZoneInfo("UTC"))) < timedelta(minutes=5)
    user_box, answer_box = public.locator(".relais-user").first.bounding_box(), answer.bounding_box()
    assert user_box["x"] + user_box["width"] > answer_box["x"] + answer_box["width"]  # right vs left

    for n in range(8):  # a long conversation: the newest message is in view
        counsellor.answer(conversation, f"Précision numéro {n + 1}.")
    public.get_by_text("Précision numéro 8.").wait_for()
    newest, box = public.locator(".relais-msg").last.bounding_box(), public.locator(".relais-log").bounding_box()
    assert box["y"] <= newest["y"] and newest["y"] + newest["height"] <= box["y"] + box["height"] + 1  # scrolled to it
    assert public.evaluate("document.querySelector('.relais-log').scrollTop") > 0
    expect(public.get_by_text("Précision numéro 8.")).to_be_in_viewport()
    shots(public, "widget-answer")
    assert serious_violations(public) == []


def test_no_script_runs_from_an_answer_or_from_the_public_s_own_text(browser, server, shots):  # noqa: F811
    public = open_widget(browser, server["base"], bypass_csp=True)  # without the CSP: the rendering alone must hold
    mine = '<img src=x onerror="window.pwned=1">'
    conversation = ask(public, mine)
    counsellor = Counsellor(browser, server["base"])
    counsellor.act({"type": "take", "conversation": conversation})
    counsellor.answer(conversation, 'Voir <script>window.pwned=2</script> et <img src=x onerror="window.pwned=3"> '
                                    'puis [ce lien](javascript:window.pwned=4) ou [celui-ci](JaVaScRiPt:alert(1)) et '
                                    '<a href="javascript:window.pwned=5">là</a> <svg onload="window.pwned=6"></svg> fin.')
    answer = public.locator(".relais-counsellor", has_text="fin.")
    answer.wait_for()
    assert answer.locator("script, img, svg, [onerror], [onload]").count() == 0
    assert answer.locator("a").count() == 0  # no javascript: link survives, as a link or otherwise
    expect(answer).to_contain_text("ce lien")  # the words stay, as text
    expect(answer).to_contain_text("<script>window.pwned=2</script>")  # shown as typed, not run
    expect(public.locator(".relais-user", has_text="<img src=x")).to_have_count(1)  # the public's text is text
    assert public.locator(".relais-log img").count() == 0
    public.wait_for_timeout(500)  # an image error or a load handler would have fired by now
    assert public.evaluate("window.pwned") is None
    shots(public, "widget-xss")


def test_the_panel_comes_back_open_after_a_reload_and_closes_with_the_keyboard(browser, server, shots):  # noqa: F811
    public = open_widget(browser, server["base"])
    ask(public, "une question avant de recharger la page")
    public.reload()
    expect(public.locator(".relais-panel")).to_be_visible()  # no click: the conversation is running
    public.locator(".relais-user", has_text="une question avant de recharger la page").wait_for()
    expect(public.get_by_role("button", name="Poser une question")).to_have_attribute("aria-expanded", "true")
    shots(public, "widget-after-reload")

    close = public.get_by_role("button", name="Fermer le tchat")
    close.focus()
    public.keyboard.press("Enter")
    expect(public.locator(".relais-panel")).to_be_hidden()
    expect(public.get_by_role("button", name="Poser une question")).to_be_focused()
    public.reload()
    expect(public.locator(".relais-panel")).to_be_hidden()  # closed by the person: it stays closed
    public.get_by_role("button", name="Poser une question").click()
    public.locator(".relais-user", has_text="une question avant de recharger la page").wait_for()
    public.get_by_label("Votre message").press("Escape")
    expect(public.locator(".relais-panel")).to_be_hidden()


def test_who_writes_and_their_departement_are_optional_and_checked_in_french(browser, server, shots):  # noqa: F811
    public = open_widget(browser, server["base"])
    conversation = ask(public, "je ne sais pas quoi faire après le bac")  # nothing was asked first: never required
    public.get_by_text("Vous êtes… (facultatif)").click()
    public.get_by_text("Parent", exact=True).click()
    departement = public.get_by_label("Votre département")
    departement.fill("20")
    departement.press("Tab")
    expect(public.locator("#relais-departement-error")).to_have_text(
        "Département inconnu : indiquez un numéro de 01 à 95, 2A, 2B ou de 971 à 976.")
    expect(departement).to_have_attribute("aria-invalid", "true")
    departement.fill("2a")
    departement.press("Tab")
    expect(public.get_by_text("Merci, c'est noté.")).to_be_visible()
    expect(public.locator("#relais-departement-error")).to_be_empty()
    shots(public, "widget-profile")
    with server["db"].connect() as db:
        row = db.execute(text("select audience, departement from conversations where public_id = :id"),
                         {"id": conversation}).one()
    assert tuple(row) == ("parent", "2A")


def test_the_offline_form_says_when_the_service_reopens_and_speaks_french(browser, server, shots):  # noqa: F811
    public = open_widget(browser, server["base"])
    public.get_by_label("Service", exact=True).select_option("monmaster")
    offline = public.locator(".relais-offline")
    expect(offline).to_be_visible()
    expect(public.locator(".relais-form")).to_be_hidden()
    expect(offline).to_contain_text("Le service rouvre demain à 9 h 00.")
    public.get_by_role("button", name="Envoyer ma question").click()
    expect(offline).to_contain_text("Écrivez votre question.")
    expect(public.get_by_label("Votre question")).to_be_focused()
    public.get_by_label("Votre question").fill("Quand ouvre la plateforme Mon Master ?")
    public.get_by_label("Votre adresse électronique").fill("lea.martin@@exemple")
    public.get_by_role("button", name="Envoyer ma question").click()
    expect(offline).to_contain_text("Adresse électronique invalide : indiquez une seule adresse, de la forme prenom.nom@exemple.fr.")
    expect(offline).to_contain_text("Cochez la case pour que nous puissions vous répondre par courriel.")
    shots(public, "widget-offline-errors")
    assert "please" not in offline.inner_text().lower() and "match" not in offline.inner_text().lower()
    public.get_by_label("Votre adresse électronique").fill("lea.martin@exemple.fr")
    public.locator("label[for=relais-consent]").click()
    public.get_by_role("button", name="Envoyer ma question").click()
    expect(public.locator(".relais-status")).to_contain_text("Votre question est bien enregistrée")
    expect(offline.locator(".relais-error:not(:empty)")).to_have_count(0)


def test_a_late_answer_about_the_service_chosen_before_never_reopens_the_tchat(browser, server):  # noqa: F811
    """Mon orientation en ligne's hours answer slowly (a slow network); Mon Master, closed, is chosen
    meanwhile: the tchat of a closed service must not come back when the older answer lands."""
    page = browser.new_context().new_page()

    def slow_moel(route):
        page.wait_for_timeout(1500)
        route.continue_()

    page.route(re.compile(r".*/offline/status\?service=moel$"), slow_moel)
    page.goto(server["base"] + "/")
    page.get_by_role("button", name="Poser une question").click()
    page.get_by_label("Service", exact=True).select_option("monmaster")
    offline = page.locator(".relais-offline")
    expect(offline).to_be_visible()
    page.wait_for_timeout(4000)  # every slow answer has landed
    expect(offline).to_be_visible()
    expect(page.locator(".relais-form")).to_be_hidden()


def test_at_the_close_the_public_rates_once_and_a_second_rating_is_refused_in_french(browser, server, shots):  # noqa: F811
    context = browser.new_context()
    public = context.new_page()
    public.goto(server["base"] + "/")
    public.get_by_role("button", name="Poser une question").click()
    public.get_by_label("Service", exact=True).select_option("moel")
    conversation = ask(public, "merci, je m'appelle Léa Martin")
    other_tab = context.new_page()  # the same conversation in a second tab
    other_tab.goto(server["base"] + "/")
    other_tab.locator(".relais-user", has_text="je m'appelle Léa Martin").wait_for()
    counsellor = Counsellor(browser, server["base"])
    counsellor.act({"type": "take", "conversation": conversation})
    counsellor.act({"type": "close", "conversation": conversation})

    public.get_by_role("button", name="Je donne mon avis").click()
    public.get_by_role("button", name="Envoyer mon avis").click()
    expect(public.get_by_text("Choisissez une note de 1 à 5.")).to_be_visible()
    public.locator("label[for=relais-score-4]").click()
    public.get_by_label("Un commentaire (facultatif)").fill("Très utile, merci ! Léa Martin")
    shots(public, "widget-rating")
    public.get_by_role("button", name="Envoyer mon avis").click()
    expect(public.get_by_text("Merci pour votre avis !")).to_be_visible()
    expect(public.get_by_role("button", name="Commencer une nouvelle conversation")).to_be_visible()

    other_tab.get_by_role("button", name="Je donne mon avis").click()
    other_tab.locator("label[for=relais-score-1]").click()
    other_tab.get_by_role("button", name="Envoyer mon avis").click()
    expect(other_tab.locator(".relais-rating")).to_contain_text("Vous avez déjà donné votre avis sur cette conversation. Merci !")
    with server["db"].connect() as db:
        ratings = db.execute(text("select score, comment from ratings join conversations on conversations.id = "
                                  "ratings.conversation_id where public_id = :id"), {"id": conversation}).all()
    assert len(ratings) == 1 and ratings[0][0] == 4
    assert "Léa" not in ratings[0][1] and "<PERSONNE_1>" in ratings[0][1]

    public.reload()  # a closed, rated conversation: no second offer
    public.get_by_text("Merci, vous avez donné votre avis sur cette conversation.").wait_for()
    expect(public.get_by_role("button", name="Je donne mon avis")).to_be_hidden()


def _overlaps_text(page) -> list[str]:
    """The page's text lines (outside the widget) that the toggle covers now."""
    return page.evaluate("""() => {
        const toggle = document.querySelector('.relais-toggle').getBoundingClientRect();
        const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
        const covered = [];
        while (walker.nextNode()) {
            const range = document.createRange();
            range.selectNodeContents(walker.currentNode);
            for (const r of range.getClientRects()) {
                if (r.width && r.right > toggle.left && r.left < toggle.right && r.bottom > toggle.top && r.top < toggle.bottom)
                    covered.push(walker.currentNode.textContent.trim().slice(0, 40));
            }
        }
        return covered; }""")


def test_on_a_phone_nothing_overflows_and_the_toggle_never_covers_the_page_text(browser, server, shots):  # noqa: F811
    public = browser.new_context(viewport=PHONE, bypass_csp=True).new_page()
    public.goto(server["base"] + "/")
    width = "document.documentElement.scrollWidth"
    assert public.evaluate(width) <= PHONE["width"]
    assert _overlaps_text(public) == []
    # a long host page, read to its end: its last lines scroll clear of the toggle
    public.evaluate("""() => { const main = document.querySelector('main');
        for (let n = 0; n < 30; n++) { const p = document.createElement('p');
            p.textContent = 'Paragraphe de la page hôte numéro ' + n + ', un texte assez long pour remplir la ligne.';
            main.append(p); } }""")
    public.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert _overlaps_text(public) == []
    shots(public, "phone-page-end")

    public.get_by_role("button", name="Poser une question").click()
    public.get_by_label("Service", exact=True).select_option("moel")
    conversation = ask(public, "une question écrite sur un téléphone, assez longue pour passer à la ligne dans la bulle")
    counsellor = Counsellor(browser, server["base"])
    counsellor.act({"type": "take", "conversation": conversation})
    counsellor.answer(conversation, ANSWER + "\n\nUne adresse très longue : https://www.onisep.fr/" + "a" * 120)
    public.locator(".relais-counsellor", has_text="Une adresse très longue").wait_for()
    assert public.evaluate(width) <= PHONE["width"]
    panel = public.locator(".relais-panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= PHONE["width"]
    shots(public, "phone-panel")
    assert serious_violations(public) == []


@pytest.fixture(scope="module")
def paced_server(demo_home, tmp_path_factory):
    """`relais serve` where one new conversation opens at once from an address, then one each 3 s."""
    home, _ = demo_home
    env = {**os.environ, "RELAIS_HOME": str(home), "RELAIS_SECRET_KEY": "navigateur-file",
           "RELAIS_DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('paced') / 'relais.sqlite'}",
           "RELAIS_CONVERSATIONS_BURST": "1", "RELAIS_CONVERSATIONS_PACE": "3"}
    with serving(env) as base:
        yield base


def test_a_conversation_waiting_its_turn_says_so_then_opens(browser, paced_server, shots):  # noqa: F811
    """A class opening the tchat together: the second pupil is told their conversation opens in a few
    seconds (not a silent panel), then it opens."""
    first = open_widget(browser, paced_server)
    expect(first.locator(".relais-status")).to_contain_text("Un conseiller ou une conseillère va vous répondre")
    second = open_widget(browser, paced_server)
    status = second.locator(".relais-status")
    expect(status).to_contain_text("votre conversation s'ouvre dans", timeout=2000)
    shots(second, "widget-opening")
    expect(status).to_contain_text("Un conseiller ou une conseillère va vous répondre", timeout=10000)
