"""A real console in Chromium, for the web benchmark: when did each user message become visible?

`bench_web.py --browser-console` opens one counsellor's console page in headless Chromium next to
its websocket consoles. A probe, installed before the page's own scripts, notes for every user
message frame the wall-clock time (ms since the epoch) of the first frame painted after the page
handled it (requestAnimationFrame, then a task). The load client notes the wall-clock time it
sent each message: both clocks are this machine's, so the difference is the time from the
user's send to the message painted in the console (issue 13: first message visible ≤ 150 ms p95).
"""

from __future__ import annotations

import asyncio
import shutil
import time

# The page's own listener is added after this one, so the paint measured follows its update.
PROBE = """
window.__relaisVisible = {};
window.__relaisFrames = 0;
const Original = window.WebSocket;
window.WebSocket = class extends Original {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      window.__relaisFrames += 1;
      const frame = JSON.parse(event.data);
      if (frame.type !== "message" || frame.author !== "user") return;
      const marker = frame.text.trim().split(/\\s+/).pop();
      requestAnimationFrame(() => setTimeout(() => {
        window.__relaisVisible[marker] ??= performance.timeOrigin + performance.now();
      }, 0));
    });
  }
};
"""


MAIN_THREAD = ("task", "script", "recalcStyle", "layout")


class BrowserConsole:
    """One console page, logged in with a session cookie of `base`."""

    def __init__(self) -> None:
        self._playwright = self._browser = self.page = self._cdp = None

    async def open(self, base: str, cookie: str) -> None:
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        self._browser = await self._playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        # bypass_csp: the probe is evaluated in the page (the page itself is unchanged)
        context = await self._browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
        name, value = cookie.split("=", 1)
        await context.add_cookies([{"name": name, "value": value, "url": base}])
        self.page = await context.new_page()
        self._cdp = await context.new_cdp_session(self.page)
        await self._cdp.send("Performance.enable")
        await self.page.add_init_script(PROBE)
        await self.page.goto(base + "/console")
        await self.page.wait_for_function("window.__relaisFrames > 0", timeout=60000)  # its queues: connected
        await self._settled()

    async def _settled(self, idle: float = 0.05, longest: float = 20.0) -> None:
        """Wait until the freshly opened page is idle (its main thread busy less than `idle` s in a
        second): a counsellor's console is open before the messages come, so the window must not
        measure the page's own start (parsing, first layouts, the browser's helper processes)."""
        deadline = time.monotonic() + longest
        before = (await self.main_thread())["task"]
        while time.monotonic() < deadline:
            await asyncio.sleep(1)
            now = (await self.main_thread())["task"]
            if now - before < idle:
                return
            before = now

    async def visible(self) -> dict[str, float]:
        """Marker → wall-clock ms when the message was first painted in the console."""
        return await self.page.evaluate("window.__relaisVisible")

    async def main_thread(self) -> dict[str, float]:
        """Seconds the page's main thread spent so far: in all, in script, style and layout
        (Chromium's own counters, read over the DevTools protocol)."""
        metrics = {m["name"]: m["value"] for m in (await self._cdp.send("Performance.getMetrics"))["metrics"]}
        return {name: metrics.get(f"{name[0].upper()}{name[1:]}Duration", 0.0) for name in MAIN_THREAD}

    async def close(self) -> None:
        if self._browser:
            await self._browser.close()
        if self._playwright:
            await self._playwright.stop()
