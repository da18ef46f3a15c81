"""The counsellor console in a real Chromium against a real `relais serve` (issue 13): the list, the
shortcuts, canned answers, rejection reasons, transfer notes, the phone pane, logout and landing,
the offline inbox, « typing », small screens, axe-core and a keyboard-only journey.

The public side is a plain websocket here (the widget has its own browser tests): what it receives
is exactly what reaches the public. Screenshots go to the test's tmp dir."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time

import pytest
from playwright.sync_api import expect
from websockets.sync.client import connect

from tests.conftest import ROOT
from tests.web.conftest import free_port, serving
from tests.web.test_browser import browser  # noqa: F401 (module fixture)

pytestmark = [pytest.mark.integration, pytest.mark.slow]
PASSWORD = "un-mot-de-passe-solide"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
ACCOUNTS = (("conseil", "counsellor", "moel"), ("collegue", "counsellor", "moel"), ("master", "counsellor", "monmaster"),
            ("qualite", "quality", None))


@pytest.fixture(scope="module")
def smtp():
    from aiosmtpd.controller import Controller

    received = []

    class Keep:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
            received.append(envelope.content.decode("utf-8", "replace"))
            return "250 OK"

    controller = Controller(Keep(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, received
    controller.stop()


@pytest.fixture(scope="module")
def server(demo_home, tmp_path_factory, smtp):
    home, _ = demo_home
    database = tmp_path_factory.mktemp("console") / "relais.sqlite"
    env = {**os.environ, "RELAIS_HOME": str(home), "RELAIS_SECRET_KEY": "console-navigateur",
           "RELAIS_DATABASE_URL": f"sqlite:///{database}", "RELAIS_SMTP_HOST": "127.0.0.1", "RELAIS_SMTP_PORT": str(smtp[0]),
           "RELAIS_WAIT_MINUTES": json.dumps({"monmaster": [1, 2], "*": [3, 8]})}
    for login, role, service in ACCOUNTS:
        subprocess.run([sys.executable, "-m", "relais", "users", "add", login, "--role", role,
                        *(["--service", service] if service else [])],
                       input=f"{PASSWORD}\n{PASSWORD}\n", env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    with serving(env) as base:
        yield {"base": base, "env": env, "database": database}


class Public:
    """A member of the public on the widget's socket: what it receives is what the public sees."""

    def __init__(self, base: str, text: str, service: str = "moel") -> None:
        self.socket = connect(base.replace("http", "ws") + "/widget/ws")
        self.socket.send(json.dumps({"type": "hello", "service": service}))
        self.conversation = self.next("welcome")["conversation"]
        self.ask(text)

    def ask(self, text: str) -> None:
        self.socket.send(json.dumps({"type": "message", "text": text, "key": f"k{time.monotonic_ns()}"}))
        self.next("ack")

    def next(self, kind: str, timeout: float = 20, where=lambda frame: True) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            frame = json.loads(self.socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if frame["type"] == kind and where(frame):
                return frame
        raise AssertionError(f"no {kind} frame")

    def counsellor_text(self) -> str:
        return self.next("message", where=lambda frame: frame["author"] == "counsellor")["text"]

    def close(self) -> None:
        self.socket.close()


OPENED = []  # the browser contexts of the running test, closed after it


@pytest.fixture(autouse=True)
def close_contexts():
    yield
    while OPENED:
        OPENED.pop().close()


def new_page(browser, **context):  # noqa: F811
    opened = browser.new_context(**context)
    OPENED.append(opened)
    return opened.new_page()


def sign_in(browser, base: str, login: str = "conseil", **context):  # noqa: F811
    page = new_page(browser, **context)
    page.goto(base + "/login")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def row(page, conversation: str):
    return page.locator("#queues li", has=page.locator(".conv-ref", has_text=conversation[:8]))


def open_row(page, conversation: str) -> None:
    row(page, conversation).locator("button").click()
    expect(row(page, conversation).locator("button")).to_have_attribute("aria-current", "true")


def database(server) -> sqlite3.Connection:
    return sqlite3.connect(server["database"])


def check_axe(page, what: str) -> None:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == [], f"{what}: {serious}"


def no_horizontal_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
        page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


# -- 1. the list ------------------------------------------------------------------------------------
def test_the_list_shows_last_words_waiting_time_unread_and_who_answers(browser, server, tmp_path):  # noqa: F811
    base = server["base"]
    first = Public(base, "Bonjour, je cherche une formation en alternance dans le numérique")
    second = Public(base, "Et pour devenir infirmière après le bac, comment faire ?")
    console = new_page(browser)
    console.context.clock.install()  # the page's clock, to move the waiting time on
    console.goto(base + "/login")
    console.fill("#login", "conseil")
    console.fill("#password", PASSWORD)
    console.click("button[type=submit]")
    expect(console.locator("#who-name")).to_have_text("conseil")
    button = row(console, first.conversation).locator("button")
    expect(button).to_contain_text("Bonjour, je cherche une formation en alternance")
    expect(button).to_contain_text("Mon orientation en ligne")
    expect(button.locator(".conv-unread")).to_have_text("Non lu")
    expect(button.locator(".conv-wait")).to_contain_text("attend depuis")
    expect(button.locator(".conv-wait")).to_have_class("conv-wait conv-wait-ok")
    console.clock.fast_forward("04:00")  # past the amber threshold (3 minutes)
    expect(button.locator(".conv-wait")).to_have_class("conv-wait conv-wait-amber")
    console.clock.fast_forward("05:00")  # past red (8 minutes)
    expect(button.locator(".conv-wait")).to_have_class("conv-wait conv-wait-red")
    expect(button.locator(".conv-wait")).to_contain_text("attente longue")  # said in words, not by colour alone

    colleague = sign_in(browser, base, "collegue")
    open_row(console, first.conversation)  # opening a waiting conversation takes it
    expect(button).to_have_class("conv conv-is-open")
    expect(button.locator(".conv-unread")).to_be_hidden()
    expect(button).to_contain_text("Vous répondez")
    expect(row(colleague, first.conversation)).to_contain_text("conseil répond")
    # keyboard focus on another row is visible and never grey on grey
    focused = row(console, second.conversation).locator("button")
    focused.focus()
    console.keyboard.press("Shift+Tab")  # moved by the keyboard, as a counsellor would
    console.keyboard.press("Tab")
    expect(focused).to_be_focused()
    console.mouse.move(0, 0)  # not hovered: the focus alone
    colours = focused.evaluate("b => [getComputedStyle(b).outlineStyle, getComputedStyle(b).outlineColor, getComputedStyle(b).backgroundColor]")
    assert colours[0] == "solid" and colours[1] == "rgb(10, 118, 246)" and colours[2] == "rgb(255, 255, 255)"
    open_style = button.evaluate("b => getComputedStyle(b).backgroundColor")
    assert open_style == "rgb(227, 227, 253)"
    # a new message from the public updates the row in place
    second.ask("Je suis en terminale générale.")
    expect(row(console, second.conversation)).to_contain_text("Je suis en terminale générale.")
    console.screenshot(path=str(tmp_path / "console-list.png"), full_page=True)
    colleague.screenshot(path=str(tmp_path / "console-colleague.png"), full_page=True)
    first.close(); second.close()


# -- 2. shortcuts, and « Envoyer » never silent ----------------------------------------------------
def test_shortcuts_are_listed_and_work(browser, server, tmp_path):  # noqa: F811
    base = server["base"]
    public = Public(base, "Quelles études pour devenir boulangère ?")
    console = sign_in(browser, base)
    expect(row(console, public.conversation)).to_be_visible()
    console.get_by_role("button", name="Envoyer", exact=True).click()  # nothing open: said, not silent
    expect(console.locator("#etat")).to_contain_text("Ouvrez d'abord une conversation")
    console.get_by_role("button", name="Raccourcis clavier").click()
    help_panel = console.locator("#help")
    for text in ("Conversation suivante", "Envoyer la réponse", "Rejeter le brouillon", "Rechercher dans la base"):
        expect(help_panel).to_contain_text(text)
    console.screenshot(path=str(tmp_path / "console-help.png"))
    console.keyboard.press("Escape")
    expect(help_panel).to_be_hidden()
    console.keyboard.press("Alt+S")
    expect(console.locator("#search-q")).to_be_focused()
    for _ in range(10):  # the next conversation until this one is open
        console.keyboard.press("Alt+N")
        if row(console, public.conversation).locator("button").get_attribute("aria-current") == "true":
            break
    expect(row(console, public.conversation).locator("button")).to_have_attribute("aria-current", "true")
    expect(console.locator("#answer-text")).to_be_focused()
    console.locator("#draft").wait_for(state="visible", timeout=30000)
    console.keyboard.press("Alt+R")
    expect(console.locator("#reject-panel")).to_be_visible()
    console.keyboard.press("Escape")
    expect(console.locator("#reject-panel")).to_be_hidden()
    console.locator("#answer-text").fill("Réponse envoyée au clavier.")
    console.locator("#answer-text").press("Control+Enter")
    assert public.counsellor_text() == "Réponse envoyée au clavier."
    public.close()


# -- 3. canned answers ---------------------------------------------------------------------------
def test_a_canned_answer_is_clean_text_and_no_keywords_reach_the_public(browser, server, tmp_path):  # noqa: F811
    base = server["base"]
    public = Public(base, "Comment je crée mon dossier Parcoursup ?")
    console = sign_in(browser, base)
    frames = []
    console.on("websocket", lambda socket: socket.on("framereceived", lambda payload: frames.append(payload)))
    console.reload()  # the socket opened after the listener, so its frames are seen
    open_row(console, public.conversation)
    console.locator("#answer-text").fill("")
    console.get_by_label("Rechercher dans la base").fill("créer son dossier Parcoursup")
    console.get_by_role("button", name="Rechercher", exact=True).click()
    insert = console.get_by_role("button", name="Insérer dans la réponse").first
    insert.wait_for(timeout=30000)
    insert.click()
    text = console.locator("#answer-text").input_value()
    [results] = [json.loads(frame)["results"] for frame in frames if '"search_results"' in frame]
    assert "Mots-clés :" in results[0]["passage"]  # what the index holds, and what must not reach the public
    assert text == results[0]["answer"] and not text.startswith(results[0]["title"])
    assert text and "Mots-clés" not in text and "**" not in text and "Autres intitulés" not in text
    if results[0]["url"]:
        assert text.endswith(results[0]["url"])
    console.screenshot(path=str(tmp_path / "console-canned.png"), full_page=True)
    console.get_by_role("button", name="Envoyer", exact=True).click()
    received = public.counsellor_text()
    assert received == text and "Mots-clés" not in received and "**" not in received
    public.close()


# -- 4. rejection reason ---------------------------------------------------------------------------
def test_rejecting_a_draft_asks_why_stores_it_and_the_draft_leaves(browser, server, tmp_path):  # noqa: F811
    base = server["base"]
    public = Public(base, "je suis Léa Martin, c'est quoi le métier de boulangère ?")
    console = sign_in(browser, base)
    open_row(console, public.conversation)
    console.locator("#draft").wait_for(state="visible", timeout=30000)
    console.get_by_role("button", name="Rejeter le brouillon").click()
    panel = console.locator("#reject-panel")
    expect(panel.get_by_role("group", name="Pourquoi rejetez-vous ce brouillon ?")).to_be_visible()
    panel.get_by_label("Autre raison", exact=True).check()
    panel.get_by_role("button", name="Confirmer le rejet").click()
    expect(console.locator("#etat")).to_contain_text("Précisez")  # « Autre » needs words
    panel.get_by_label("Mauvaise source").check()
    panel.get_by_label("Précisions").fill("Léa Martin parle de pâtisserie")
    console.screenshot(path=str(tmp_path / "console-reject.png"), full_page=True)
    panel.get_by_role("button", name="Confirmer le rejet").click()
    expect(console.locator("#draft")).to_be_hidden()
    expect(panel).to_be_hidden()
    expect(console.locator("#sources li")).to_have_count(0)
    assert console.locator("#answer-text").input_value() == ""
    with database(server) as db:
        reasons = db.execute("SELECT d.outcome, d.reject_reason FROM drafts d JOIN conversations c ON c.id = d.conversation_id "
                             "WHERE c.public_id = ?", (public.conversation,)).fetchall()
    assert ("rejected", "Mauvaise source : <PERSONNE_1> parle de pâtisserie") in reasons
    public.close()


# -- 5. transfer note and the old queue's counts -----------------------------------------------------
def test_a_transfer_note_reaches_the_receiving_service_and_the_old_queue_is_right(browser, server, tmp_path):  # noqa: F811
    base = server["base"]
    public = Public(base, "Mon master ne m'a pas répondu, que faire ?")
    console = sign_in(browser, base)
    receiving = sign_in(browser, base, "master")
    open_row(console, public.conversation)
    counts_before = console.locator("#counts").inner_text()
    console.get_by_text("Transférer à un autre service").click()
    console.get_by_label("Service", exact=True).select_option("monmaster")
    console.get_by_label("Note pour le service qui reçoit").fill("Candidate en M1 droit, attend une réponse depuis mai")
    console.get_by_role("button", name="Transférer", exact=True).click()
    expect(row(console, public.conversation)).to_have_count(0)  # it left this counsellor's queues
    expect(console.locator("#messages")).to_contain_text("Conversation transférée vers Mon Master")
    expect(console.locator("#counts")).not_to_have_text(counts_before)
    moel = console.evaluate("document.querySelectorAll('#queues li').length")
    expect(console.locator("#counts")).to_contain_text("Mon orientation en ligne :")
    waiting = console.locator("#queues .conv-who", has_text="En attente").count()
    active = moel - waiting
    expect(console.locator("#counts")).to_have_text(f"Mon orientation en ligne : {waiting} en attente, {active} en cours")
    arrived = row(receiving, public.conversation)
    expect(arrived).to_contain_text("transférée de Mon orientation en ligne")
    arrived.locator("button").click()
    expect(receiving.locator("#conv-note")).to_have_text(
        "Note de transfert (Mon orientation en ligne) : Candidate en M1 droit, attend une réponse depuis mai")
    receiving.screenshot(path=str(tmp_path / "console-transfer-note.png"), full_page=True)
    public.close()


# -- 6. phone mode -----------------------------------------------------------------------------------
def test_the_phone_pane_keeps_its_own_draft_and_history_out_of_the_open_chat(browser, server, tmp_path):  # noqa: F811
    base = server["base"]
    public = Public(base, "Bonjour, je voudrais parler à un conseiller")
    console = sign_in(browser, base, permissions=["clipboard-read", "clipboard-write"])
    open_row(console, public.conversation)
    console.get_by_role("tab", name="Téléphone").click()
    console.get_by_label("Question de l'appelant").fill("c'est quoi la CAES ?")
    console.get_by_role("button", name="Obtenir un brouillon").click()
    phone = console.locator("#phone-draft")
    phone.wait_for(state="visible", timeout=30000)
    assert "CAES" in phone.inner_text()
    phone_draft = phone.locator(".draft-text").inner_text()
    assert phone_draft not in console.locator(".volet-conversation").inner_text()  # never inside the open chat
    assert phone_draft not in console.locator("#answer-text").input_value()
    expect(console.locator("#phone-history li")).to_have_count(1)
    expect(console.locator("#phone-history")).to_contain_text("c'est quoi la CAES ?")
    phone.get_by_role("button", name="Copier le brouillon").click()
    expect(console.locator("#etat")).to_contain_text("Brouillon copié")
    assert "CAES" in console.evaluate("navigator.clipboard.readText()")
    console.screenshot(path=str(tmp_path / "console-phone.png"), full_page=True)
    # the chat still answers its own conversation
    console.locator("#answer-text").fill("Je vous écoute.")
    console.get_by_role("button", name="Envoyer", exact=True).click()
    assert public.counsellor_text() == "Je vous écoute."
    console.get_by_role("button", name="Nouvel appel").click()
    expect(phone).to_be_hidden()
    expect(console.locator("#phone-history")).to_have_text("Aucune question pour cet appel.")
    public.close()


# -- 7. logout, name, landing ----------------------------------------------------------------------
def test_the_name_is_shown_logout_works_and_quality_lands_on_its_page(browser, server):  # noqa: F811
    base = server["base"]
    console = sign_in(browser, base)
    assert console.url == base + "/console"
    expect(console.locator("#who-name")).to_have_text("conseil")
    console.get_by_role("button", name="Se déconnecter").click()
    console.wait_for_url(base + "/login")
    console.goto(base + "/console")
    assert console.url == base + "/login"  # the session is over
    quality = sign_in(browser, base, "qualite")
    assert quality.url == base + "/quality"


# -- 8. offline inbox ----------------------------------------------------------------------------
def test_the_inbox_shows_date_masked_address_and_background_draft_and_confirms_the_mail(browser, server, smtp, tmp_path):  # noqa: F811
    from assistant.pii import PseudonymMap
    from relais.components import open_store
    from relais.settings import Settings

    store = open_store(Settings(home=server["env"]["RELAIS_HOME"], secret_key="console-navigateur",
                                database_url=server["env"]["RELAIS_DATABASE_URL"]))
    newer = store.add_offline("moel", "Une question arrivée ensuite", "paul@exemple.fr", PseudonymMap("y"))
    older = store.add_offline("moel", "Quand ouvrent les inscriptions en BTS ?", "lea.martin@exemple.fr", PseudonymMap("x"))
    with database(server) as db:  # what the background triage writes
        draft = {"draft": "Bonjour,\nLes inscriptions en BTS passent par Parcoursup.", "confidence": 0.82,
                 "confidence_words": "fiable", "sources": [{"doc_id": "oscar:ps-bts", "title": "S'inscrire en BTS",
                                                           "url": "https://www.parcoursup.gouv.fr"}]}
        db.execute("UPDATE offline_requests SET draft = ?, drafted_at = CURRENT_TIMESTAMP WHERE id = ?",
                   (json.dumps(draft), older))
        # stored after, but waiting for longer: it comes first
        db.execute("UPDATE offline_requests SET created_at = datetime(created_at, '-1 hour') WHERE id = ?", (older,))
    console = sign_in(browser, server["base"])
    console.get_by_role("tab", name="Hors ligne").click()
    requests = console.locator("#inbox > li")
    expect(requests).to_have_count(2)
    assert newer < older
    first = requests.first
    expect(first).to_contain_text("Quand ouvrent les inscriptions en BTS ?")  # the longest waiting first
    expect(first).to_contain_text("l•••@e•••.fr")
    expect(first).to_contain_text("reçue le ")
    expect(first).not_to_contain_text("lea.martin")
    expect(first.locator(".draft")).to_contain_text("Brouillon préparé · confiance : fiable")
    expect(first.locator(".draft")).to_contain_text("S'inscrire en BTS")
    expect(first.locator(".draft")).to_contain_text("oscar:ps-bts")
    # the other has no draft yet, or its own (the server's background triage may have made it by now)
    expect(requests.nth(1)).not_to_contain_text("Les inscriptions en BTS passent par Parcoursup")
    console.screenshot(path=str(tmp_path / "console-inbox.png"), full_page=True)
    answer = first.get_by_label("Réponse par courriel")
    assert answer.input_value().startswith("Bonjour,\nLes inscriptions en BTS")  # the draft, ready to edit
    answer.fill(answer.input_value() + "\nBonne journée.")
    first.get_by_role("button", name="Répondre par courriel").click()
    expect(console.locator("#inbox-notice")).to_have_text("Réponse envoyée par courriel.", timeout=30000)
    port, received = smtp
    assert any("Les inscriptions en BTS passent par Parcoursup." in mail for mail in received)
    expect(requests).to_have_count(1)


# -- 9. typing -------------------------------------------------------------------------------------
def test_the_public_is_told_the_counsellor_is_writing_at_most_every_three_seconds(browser, server):  # noqa: F811
    base = server["base"]
    public = Public(base, "Bonjour, une question sur les bourses")
    console = sign_in(browser, base)
    sent = []
    console.on("websocket", lambda socket: socket.on("framesent", lambda payload: sent.append(payload)))
    console.reload()
    open_row(console, public.conversation)
    console.locator("#answer-text").press_sequentially("Bonjour, je regarde", delay=20)
    assert public.next("typing") == {"type": "typing", "who": "counsellor"}
    typing = [frame for frame in sent if '"typing"' in frame]
    assert len(typing) == 1 and public.conversation in typing[0]  # many keys, one frame within 3 s
    public.close()


# -- 10. small screens, accessibility, keyboard only ------------------------------------------------
def test_the_console_and_login_fit_a_phone_and_200_percent_zoom_and_pass_axe(browser, server, tmp_path):  # noqa: F811
    base = server["base"]
    public = Public(base, "Bonjour, comment trouver un stage de troisième ?")
    login = new_page(browser, viewport={"width": 375, "height": 740}, bypass_csp=True)
    login.goto(base + "/login")
    no_horizontal_overflow(login)
    check_axe(login, "login")
    login.screenshot(path=str(tmp_path / "login-375.png"), full_page=True)
    for width, height, name in ((375, 740, "375"), (640, 400, "zoom-200")):  # 1280 x 800 at 200 %
        console = sign_in(browser, base, viewport={"width": width, "height": height}, bypass_csp=True)
        open_row(console, public.conversation)
        console.locator("#draft").wait_for(state="visible", timeout=30000)
        no_horizontal_overflow(console)
        for name_ in ("Envoyer", "Rejeter le brouillon", "Se déconnecter"):
            console.get_by_role("button", name=name_, exact=True).scroll_into_view_if_needed()
            box = console.get_by_role("button", name=name_, exact=True).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width
        console.screenshot(path=str(tmp_path / f"console-{name}.png"), full_page=True)
    console = sign_in(browser, base, bypass_csp=True)
    open_row(console, public.conversation)
    console.locator("#draft").wait_for(state="visible", timeout=30000)
    console.get_by_role("button", name="Rejeter le brouillon").click()
    console.get_by_role("button", name="Raccourcis clavier").click()
    check_axe(console, "console")
    for tab in ("Téléphone", "Hors ligne"):
        console.get_by_role("tab", name=tab).click()
        check_axe(console, f"console, {tab}")
    console.screenshot(path=str(tmp_path / "console-wide.png"), full_page=True)
    public.close()


def test_a_keyboard_only_journey_from_login_to_answer(browser, server):  # noqa: F811
    base = server["base"]
    public = Public(base, "Je voudrais savoir comment devenir boulanger")
    page = new_page(browser)
    page.goto(base + "/login")
    page.keyboard.press("Tab")
    expect(page.locator("#login")).to_be_focused()
    page.keyboard.type("conseil")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/console")
    expect(row(page, public.conversation)).to_be_visible()
    page.keyboard.press("Tab")  # the skip link first
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    target = row(page, public.conversation).locator("button")
    for _ in range(60):  # Tab through the page to the conversation's row
        page.keyboard.press("Tab")
        if target.evaluate("b => b === document.activeElement"):
            break
    expect(target).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#answer-text")).to_be_focused()
    page.locator("#draft").wait_for(state="visible", timeout=30000)
    page.keyboard.press("Control+a")
    page.keyboard.type("Bonjour, voici la réponse, au clavier seulement.")
    page.keyboard.press("Control+Enter")
    assert public.counsellor_text() == "Bonjour, voici la réponse, au clavier seulement."
    public.close()
