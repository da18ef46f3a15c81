"""The models in child processes, as `relais serve` runs them."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import psutil
import pytest

from assistant.pii import PseudonymMap, ScrubFailed
from relais.components import open_assistant
from relais.settings import Settings
from tests.web.conftest import free_port, wait_ready
from web.nlp import ProcessNlp

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nlp(demo_home):
    processes = ProcessNlp(Settings(home=demo_home[0], secret_key="test"), open_assistant)
    asyncio.run(processes.start())
    yield processes
    processes.close()


def test_scrubbing_in_a_child_keeps_the_conversation_mapping(nlp):
    async def conversation():
        mapping = PseudonymMap("c1")
        first, mapping = await nlp.scrub("Je suis Léa Martin, mon numéro : 06 12 34 56 78.", mapping)
        second, mapping = await nlp.scrub("Léa Martin encore, au 0612345678.", mapping)
        return first, second, mapping

    first, second, mapping = asyncio.run(conversation())
    assert first == "Je suis <PERSONNE_1>, mon numéro : <TELEPHONE_1>."
    assert second == "<PERSONNE_1> encore, au <TELEPHONE_1>."
    assert mapping.restore(first) == "Je suis Léa Martin, mon numéro : 06 12 34 56 78."


def test_one_conversations_burst_of_long_messages_does_not_hold_up_another_conversation(nlp):
    long = "Bonjour, je voudrais savoir comment se passe la suite de mes études après le bac. " * 25

    async def burst() -> list[str]:
        done: list[str] = []

        async def scrub(conversation: str, text: str) -> None:
            await nlp.scrub(text, PseudonymMap(conversation))
            done.append(conversation)

        flood = [asyncio.create_task(scrub("flood", long)) for _ in range(8)]
        await asyncio.sleep(0.05)
        arrived = len(done)  # flood calls already over when the other conversation writes
        await scrub("other", "Bonjour, c'est quoi la CVEC ?")
        await asyncio.gather(*flood)
        return done, arrived

    done, arrived = asyncio.run(burst())
    assert arrived + 2 < 8, "the flood was over before the other message came: nothing was measured"
    # after the flood's calls already running (the gate lets two through), not after all eight
    assert done.index("other") <= arrived + 2


def test_drafting_search_and_phone_mode_in_a_child(nlp):
    async def calls():
        return (await nlp.draft("c koi la CAES ?", "parcoursup"), await nlp.search("boulangère", 3),
                await nlp.ask("c koi exactement la CAES ? rappelez-moi au 06 12 34 56 78", "parcoursup",
                              PseudonymMap("phone:1:call-1")),
                await nlp.draft("et le salaire ?", "moel", ["je voudrais devenir boulanger"]),
                await nlp.search("en alternance ?", 3, "moel", ["ma fille veut devenir boulangère"]))

    draft, found, (phone, restored, call), followup, searched = asyncio.run(calls())
    assert draft["citations"][0]["doc_id"] == "oscar:ps-caes"
    hits = found["results"]
    assert hits[0]["doc_id"] == "ideo-metier:MET.17" and len(hits) == 3
    assert followup["understood"]["followup"] and followup["citations"][0]["doc_id"] == "ideo-metier:MET.17"
    assert searched["understood"]["followup"] and "boulang" in searched["understood"]["need"]
    assert "<TELEPHONE_1>" in phone["question"] and "06 12" not in phone["question"]
    assert restored == phone["draft"]  # nothing of the caller's in a draft built from the base
    assert call.restore("<TELEPHONE_1>") == "06 12 34 56 78"  # the call's mapping comes back grown; the child keeps none


def test_a_dead_scrubbing_process_fails_closed_then_is_replaced(nlp):
    for pid in list(nlp._scrubbing._processes):
        os.kill(pid, signal.SIGKILL)
    with pytest.raises(ScrubFailed):
        asyncio.run(nlp.scrub("Je suis Léa Martin.", PseudonymMap("c2")))
    text, _ = asyncio.run(nlp.scrub("Je suis Léa Martin.", PseudonymMap("c2")))
    assert text == "Je suis <PERSONNE_1>."


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL])
def test_model_processes_end_with_relais_serve(demo_home, tmp_path, stop):
    port = free_port()
    env = {**os.environ, "RELAIS_HOME": str(demo_home[0]), "RELAIS_SECRET_KEY": "test",
           "RELAIS_DATABASE_URL": f"sqlite:///{tmp_path / 'relais.sqlite'}"}
    server = subprocess.Popen([sys.executable, "-m", "relais", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(f"http://127.0.0.1:{port}", server)
    children = psutil.Process(server.pid).children(recursive=True)
    assert len([c for c in children if "spawn_main" in " ".join(c.cmdline())]) == 2  # one scrubs, one drafts
    server.send_signal(stop)
    server.wait(timeout=30)
    gone, alive = psutil.wait_procs(children, timeout=20)
    assert alive == [], f"model processes left running after {stop.name}: {[p.pid for p in alive]}"
