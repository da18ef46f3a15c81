"""The console's conversation list in Chromium: the rows stay in the right order whatever reaches them.

The list places only the rows that changed (a binary search each) instead of sorting 1,000 rows per
message. This drives the real module with random frames (new conversations, messages both ways,
takes, transfers, closes, a fresh `queues` list) and checks after each one that the page's order is
the order the list promises, computed here independently: waiting conversations first, the longest
wait on top; then the others, the latest first.
"""

from __future__ import annotations

import functools
import http.server
import random
import threading
from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import ROOT
from tests.web.test_browser import browser  # noqa: F401 (module fixture)

STATIC = ROOT / "web" / "static"
PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>liste</title>
<link rel="stylesheet" href="/console.css"></head><body>
<p id="counts"></p><ul id="queues" class="conversations"></ul>
<script type="module">
import { ConversationList } from "/console-list.js";
window.list = new ConversationList(document.getElementById("queues"), document.getElementById("counts"),
  { onOpen() {}, me: "moi", services: ["moel", "parcoursup", "monmaster"] });
window.ready = true;
</script></body></html>"""


@pytest.fixture(scope="module")
def static_base():
    class Static(http.server.SimpleHTTPRequestHandler):
        extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}

        def do_GET(self):  # noqa: N802 (http.server's name)
            if self.path == "/":
                body = PAGE.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                super().do_GET()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Static, directory=str(STATIC)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def expected_order(rows: list[dict]) -> list[str]:
    def key(row: dict):
        waiting_since = row.get("waiting_since")
        group = 0 if row["status"] == "waiting" and waiting_since else 1 if row["status"] == "waiting" else 2
        if waiting_since:
            time = datetime.fromisoformat(waiting_since.replace("Z", "+00:00")).timestamp()
        else:
            time = -datetime.fromisoformat(row["last_at"].replace("Z", "+00:00")).timestamp() if row.get("last_at") else 0
        return group, time, row["conversation"]

    return [row["conversation"] for row in sorted(rows, key=key)]


STATE = """() => ({
  rows: [...list.rows.values()].map((r) => ({ conversation: r.data.conversation, status: r.data.status,
                                               waiting_since: r.data.waiting_since || null, last_at: r.data.last_at || null })),
  page: [...document.querySelectorAll('#queues li')].map((li) => li.dataset.conversation),
})"""


def test_the_order_holds_under_random_frames(browser, static_base):  # noqa: F811 (fixture)
    page = browser.new_context().new_page()
    page.goto(static_base + "/")
    page.wait_for_function("window.ready === true")
    chance = random.Random(13)
    start = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
    iso = lambda moment: moment.isoformat().replace("+00:00", "Z")  # noqa: E731
    ids = [f"{n:016x}" for n in range(60)]
    initial = [{"conversation": c, "service": chance.choice(["moel", "parcoursup"]), "status": chance.choice(["waiting", "active"]),
                "waiting_since": iso(start + timedelta(seconds=chance.randrange(600))) if chance.random() < .6 else None,
                "last_at": iso(start + timedelta(seconds=chance.randrange(600))), "last_seq": 1} for c in ids[:40]]
    page.evaluate("(rows) => list.replaceAll(rows)", initial)
    seq = 10
    for step in range(400):
        conversation = chance.choice(ids)
        act = chance.random()
        seq += 1
        if act < .6:  # a message, from the public or a counsellor (a new conversation if unknown)
            author = chance.choice(["user", "user", "counsellor"])
            page.evaluate("(f) => list.message(f)", {"type": "message", "conversation": conversation, "service": "moel",
                                                      "author": author, "seq": seq, "text": f"message {step}"})
        elif act < .75:  # taken by a colleague
            page.evaluate("""(id) => list.apply(() => { const c = list.get(id);
                               if (c) list.upsert({ ...c, status: "active", counsellor: "collègue" }); })""", conversation)
        elif act < .85:  # transferred back to a queue
            page.evaluate("""(id) => list.apply(() => { const c = list.get(id);
                               if (c) list.upsert({ ...c, status: "waiting", counsellor: null, previous: "parcoursup" }); })""",
                          conversation)
        elif act < .97:  # closed
            page.evaluate("(id) => list.apply(() => list.remove(id))", conversation)
        else:  # the queues sent again (a reconnect): a fresh list
            fresh = [dict(row, conversation=c) for row, c in zip(initial, chance.sample(ids, 30))]
            page.evaluate("(rows) => list.replaceAll(rows)", fresh)
        state = page.evaluate(STATE)
        assert state["page"] == expected_order(state["rows"]), f"after step {step}"
        assert len(state["page"]) == len(state["rows"]) == len(set(state["page"]))
    page.context.close()
