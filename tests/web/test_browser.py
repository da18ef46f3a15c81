"""Browser tests in a real Chromium (Debian's, driven by Playwright) against a real `relais serve`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.web.conftest import free_port, wait_ready

pytestmark = [pytest.mark.integration, pytest.mark.slow]
PASSWORD = "un-mot-de-passe-solide"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def poll(page, expression: str, seconds: float = 15.0) -> None:
    """Wait until `expression` is true in the page. Not `wait_for_function`: its predicate is
    compiled in the page, which the app's Content-Security-Policy (no eval) forbids."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after {seconds} s: {expression}")


@pytest.fixture(scope="module")
def server(demo_home, tmp_path_factory):
    home, _ = demo_home
    env = {**os.environ, "RELAIS_HOME": str(home), "RELAIS_SECRET_KEY": "navigateur",
           "RELAIS_DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('browser') / 'relais.sqlite'}"}
    subprocess.run([sys.executable, "-m", "relais", "users", "add", "conseil", "--role", "counsellor",
                    "--service", "moel"], input=f"{PASSWORD}\n{PASSWORD}\n", env=env, cwd=ROOT, check=True,
                   capture_output=True, text=True)
    port = free_port()
    command = [sys.executable, "-m", "relais", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_ready(base, process)
    running = {"base": base, "process": process, "command": command, "env": env}
    yield running
    running["process"].terminate()  # the restart test replaces the process: stop the one running now
    running["process"].wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    assert os.path.exists(chromium), "Debian's chromium is not installed: .ci/run installs it"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def counsellor_page(browser, base):
    page = browser.new_context().new_page()
    page.goto(base + "/console")
    page.fill("#login", "conseil")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/console")
    return page


def test_the_public_asks_a_counsellor_edits_the_draft_and_the_public_sees_the_answer(browser, server):
    base = server["base"]
    public = browser.new_context().new_page()
    public.goto(base + "/")
    public.get_by_role("button", name="Poser une question").click()
    public.get_by_label("Votre message").fill("bonjour, c'est quoi le métier de boulangère ?")
    public.get_by_role("button", name="Envoyer", exact=True).click()
    public.get_by_text("Vous : bonjour, c'est quoi le métier de boulangère ?").wait_for()

    console = counsellor_page(browser, base)
    console.locator("#queues button").first.click()
    console.locator("#draft").wait_for(state="visible")
    assert "boulanger/ère" in console.locator("#draft").inner_text()
    assert console.locator(".confiance").inner_text() in ("Confiance : fiable", "Confiance : à vérifier")
    # beside the draft, its candidate sources with their passage; draft again from another one
    redraft = console.get_by_role("button", name="Rédiger à partir de cette source")
    assert redraft.count() >= 3
    chosen = console.locator("#sources li").nth(1).locator(".muted").inner_text().split()[0]
    redraft.nth(1).click()
    console.get_by_text(f"à partir de la source choisie {chosen}").wait_for(timeout=15000)
    answer = console.locator("#answer-text")
    answer.fill(answer.input_value() + "\n\nBonne continuation dans votre projet !")
    console.get_by_role("button", name="Envoyer", exact=True).click()

    public.get_by_text("Bonne continuation dans votre projet !").wait_for(timeout=15000)
    assert "Un conseiller ou une conseillère a rejoint la conversation." in public.locator(".relais-log").inner_text()


def test_reload_and_server_restart_resume_the_same_conversation_without_loss_or_double(browser, server):
    base = server["base"]
    public = browser.new_context().new_page()
    public.goto(base + "/")
    public.get_by_role("button", name="Poser une question").click()
    public.get_by_label("Votre message").fill("premier message avant la coupure")
    public.keyboard.press("Enter")
    public.get_by_text("Vous : premier message avant la coupure").wait_for()

    public.reload()  # reload: same conversation, from localStorage
    public.get_by_role("button", name="Poser une question").click()
    public.locator(".relais-user:not(.relais-pending)", has_text="premier message avant la coupure").wait_for()
    expect(public.locator(".relais-pending")).to_have_count(0)  # a message resent after the reload is settled

    server["process"].terminate()  # the network is lost: the socket drops
    server["process"].wait(timeout=20)
    public.get_by_text("Connexion perdue").wait_for()
    public.get_by_label("Votre message").fill("écrit pendant la coupure")
    public.keyboard.press("Enter")
    server["process"] = subprocess.Popen(server["command"], env=server["env"], cwd=ROOT,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(base, server["process"])
    public.locator(".relais-user:not(.relais-pending)", has_text="écrit pendant la coupure").wait_for(timeout=20000)
    expect(public.locator(".relais-pending")).to_have_count(0)
    log = public.locator(".relais-log").inner_text()
    assert log.count("premier message avant la coupure") == 1 and log.count("écrit pendant la coupure") == 1


def test_a_message_not_yet_acknowledged_survives_a_reload(browser, server):
    context = browser.new_context()
    cut_off = context.new_page()
    cut_off.route_web_socket("**/widget/ws", lambda socket: None)  # a socket that never answers: nothing is acknowledged
    cut_off.goto(server["base"] + "/")
    cut_off.get_by_role("button", name="Poser une question").click()
    cut_off.get_by_label("Votre message").fill("écrit juste avant de recharger")
    cut_off.keyboard.press("Enter")
    cut_off.locator(".relais-pending", has_text="écrit juste avant de recharger").wait_for()
    cut_off.close()

    public = context.new_page()  # the same browser, the page loaded again
    public.goto(server["base"] + "/")
    public.get_by_role("button", name="Poser une question").click()
    public.locator(".relais-user:not(.relais-pending)", has_text="écrit juste avant de recharger").wait_for(timeout=20000)
    public.reload()
    public.get_by_role("button", name="Poser une question").click()
    public.get_by_text("Vous : écrit juste avant de recharger").wait_for()
    assert public.locator(".relais-log").inner_text().count("écrit juste avant de recharger") == 1
    assert public.evaluate("Object.keys(localStorage).filter((key) => key.endsWith(':pending'))") == []


def test_text_unsent_when_its_conversation_was_erased_goes_back_to_the_input_not_to_a_new_conversation(browser, server):
    context = browser.new_context()
    first = context.new_page()
    first.goto(server["base"] + "/")
    first.get_by_role("button", name="Poser une question").click()
    first.get_by_label("Votre message").fill("ma première question")
    first.keyboard.press("Enter")
    first.locator(".relais-user:not(.relais-pending)", has_text="ma première question").wait_for()
    conversation = first.evaluate("JSON.parse(localStorage.getItem('relais-conversation')).conversation")
    first.close()
    cut_off = context.new_page()  # a tab without network writes on; meanwhile the conversation is erased
    cut_off.route_web_socket("**/widget/ws", lambda socket: None)
    cut_off.goto(server["base"] + "/")
    cut_off.get_by_role("button", name="Poser une question").click()
    cut_off.get_by_label("Votre message").fill("écrit pour la conversation effacée")
    cut_off.keyboard.press("Enter")
    cut_off.locator(".relais-pending").wait_for()
    cut_off.close()
    subprocess.run([sys.executable, "-m", "relais", "purge", "--conversation", conversation], env=server["env"],
                   cwd=ROOT, check=True, capture_output=True)

    public = context.new_page()
    public.goto(server["base"] + "/")
    public.get_by_role("button", name="Poser une question").click()
    expect(public.get_by_label("Votre message")).to_have_value("écrit pour la conversation effacée")
    poll(public, "JSON.parse(localStorage.getItem('relais-conversation') || '{}').conversation")  # the new one
    assert public.evaluate("JSON.parse(localStorage.getItem('relais-conversation')).conversation") != conversation
    expect(public.locator(".relais-log")).not_to_contain_text("écrit pour la conversation effacée")
    assert public.evaluate("localStorage.getItem('relais-conversation:pending')") is None


def test_the_widget_works_with_the_keyboard_only(browser, server):
    public = browser.new_context().new_page()
    public.goto(server["base"] + "/")
    public.keyboard.press("Tab")
    assert public.evaluate("document.activeElement.textContent") == "Poser une question"
    public.keyboard.press("Enter")
    # focus moves into the tchat (a locator, not an evaluated string: the page's CSP forbids eval)
    expect(public.locator("#relais-text")).to_be_focused()
    public.keyboard.type("une question au clavier")
    public.keyboard.press("Enter")
    public.get_by_text("Vous : une question au clavier").wait_for()
    assert public.locator(".relais-log").get_attribute("aria-live") == "polite"
    assert public.locator(".relais-status").get_attribute("role") == "status"


def test_the_public_erases_their_conversation_after_confirming_and_the_counsellor_sees_it_go(browser, server):
    base = server["base"]
    public = browser.new_context().new_page()
    public.goto(base + "/")
    public.get_by_role("button", name="Poser une question").click()
    public.get_by_label("Votre message").fill("une question que je veux effacer ensuite")
    public.keyboard.press("Enter")
    public.locator(".relais-user:not(.relais-pending)", has_text="une question que je veux effacer ensuite").wait_for()
    conversation = public.evaluate("JSON.parse(localStorage.getItem('relais-conversation')).conversation")
    # the reference, short enough to read over the phone, next to a discreet link
    expect(public.locator(".relais-erase")).to_contain_text(f"Référence de la conversation : {conversation[:8]}")
    console = counsellor_page(browser, base)
    console.locator("#queues button", has_text=conversation[:8]).click()
    console.get_by_text("Usager : une question que je veux effacer ensuite").wait_for()

    public.get_by_role("button", name="Effacer cette conversation").click()
    public.get_by_text("Effacer définitivement cette conversation ?").wait_for()
    public.get_by_role("button", name="Annuler").click()  # changed their mind: nothing happens
    expect(public.get_by_text("Effacer définitivement cette conversation ?")).to_be_hidden()
    public.get_by_role("button", name="Effacer cette conversation").click()
    public.get_by_role("button", name="Oui, effacer").click()

    public.get_by_text("Votre conversation a été effacée.").wait_for()
    assert "une question que je veux effacer ensuite" not in public.locator(".relais-log").inner_text()
    assert public.evaluate("Object.keys(localStorage).filter((key) => key.startsWith('relais-conversation'))") == []
    console.get_by_text("Conversation effacée à la demande de la personne.").wait_for()
    expect(console.locator("#queues button", has_text=conversation[:8])).to_have_count(0)
    public.get_by_role("button", name="Commencer une nouvelle conversation").click()
    expect(public.locator(".relais-erase")).to_be_visible()  # a new conversation, with its own reference
    expect(public.locator(".relais-erase")).to_contain_text("Référence de la conversation : ")
    expect(public.locator(".relais-erase")).not_to_contain_text(conversation[:8])
