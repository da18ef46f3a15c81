"""The console's phone pane in a real Chromium against a real `relais serve`: a draft per question,
« Nouvel appel » ends the call (the server says its details are gone) and clears the pane."""

from __future__ import annotations

import pytest

from tests.web.test_browser import browser, counsellor_page, server  # noqa: F401 (module fixtures)

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_the_phone_pane_drafts_for_a_call_and_starts_a_new_one(browser, server):  # noqa: F811
    console = counsellor_page(browser, server["base"])
    sent = []
    console.on("websocket", lambda socket: socket.on("framesent", lambda payload: sent.append(payload)))
    console.reload()  # the socket opened after the listener, so its frames are seen
    console.get_by_role("tab", name="Téléphone").click()  # the phone pane has its own tab
    question = console.get_by_label("Question de l'appelant")
    question.fill("c'est quoi la CAES ? je suis Sophie Garnier, rappelez-moi au 06 12 34 56 78")
    console.get_by_role("button", name="Obtenir un brouillon").click()
    console.locator("#phone-draft").wait_for(state="visible")
    assert "CAES" in console.locator("#phone-draft").inner_text()

    console.get_by_role("button", name="Nouvel appel").click()
    console.get_by_text("Appel terminé : les données de l'appelant sont effacées.", exact=False).wait_for()
    assert question.input_value() == "" and console.locator("#phone-draft").is_hidden()
    phone_frames = [frame for frame in sent if '"type":"phone"' in frame.replace(" ", "")]
    asked, ended = phone_frames[0], phone_frames[-1]
    call = asked.split('"call":"')[1].split('"')[0]
    assert f'"call":"{call}"' in ended and '"end":true' in ended
