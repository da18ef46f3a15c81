"""The fair gate in front of the model processes: one conversation's burst waits its turns."""

import asyncio

import pytest

from web.fairness import FairGate

pytestmark = pytest.mark.unit


async def _served_order(gate: FairGate, calls: list[str]) -> list[str]:
    """Hold the gate, queue `calls` (keys, in order), let go: the order they ran in."""
    served: list[str] = []
    release = asyncio.Event()

    async def holder() -> None:
        async with gate.turn("holder"):
            await release.wait()

    async def call(key: str, n: int) -> None:
        async with gate.turn(key):
            served.append(f"{key}{n}")
            await asyncio.sleep(0)

    held = asyncio.create_task(holder())
    await asyncio.sleep(0)
    tasks = []
    for n, key in enumerate(calls):
        tasks.append(asyncio.create_task(call(key, n)))
        await asyncio.sleep(0)  # queued in this order
    assert gate.waiting() == len(calls)
    release.set()
    await asyncio.gather(held, *tasks)
    return served


def test_a_newcomer_waits_for_one_call_of_each_busy_conversation_not_for_all_of_them():
    gate = FairGate(1)
    order = asyncio.run(_served_order(gate, ["a", "a", "a", "a", "b", "c", "a"]))
    assert order == ["a0", "b4", "c5", "a1", "a2", "a3", "a6"]
    assert gate.running == 0 and gate.waiting() == 0


def test_a_newcomer_goes_before_a_conversation_that_has_just_had_its_turn():
    async def scenario() -> list[str]:
        gate, served = FairGate(1), []
        steps = {n: asyncio.Event() for n in range(3)}

        async def call(key: str, n: int) -> None:
            async with gate.turn(key):
                served.append(f"{key}{n}")
                await steps[n].wait() if n in steps else None

        tasks = [asyncio.create_task(call("a", n)) for n in range(4)]  # a0 runs, a1…a3 wait
        await asyncio.sleep(0)
        steps[0].set()  # a0 done: a1 has its turn, « a » goes to the back of the line…
        await asyncio.sleep(0.01)
        tasks.append(asyncio.create_task(call("b", 9)))  # …and « b » comes: it is next, before a2
        await asyncio.sleep(0)
        steps[1].set()
        steps[2].set()
        await asyncio.gather(*tasks)
        return served

    assert asyncio.run(scenario()) == ["a0", "a1", "b9", "a2", "a3"]


def test_a_newcomer_goes_before_a_conversation_whose_first_calls_are_running():
    # « a » took both places at once (no wait) and queued more; « b » comes while they run: it has
    # the first place that frees, before a2 (a conversation with calls running has had its turn)
    async def scenario() -> list[str]:
        gate, served = FairGate(2), []
        steps = {n: asyncio.Event() for n in range(2)}

        async def call(key: str, n: int) -> None:
            async with gate.turn(key):
                served.append(f"{key}{n}")
                await steps[n].wait() if n in steps else None

        tasks = [asyncio.create_task(call("a", n)) for n in range(4)]  # a0, a1 run; a2, a3 wait
        await asyncio.sleep(0)
        tasks.append(asyncio.create_task(call("b", 9)))
        await asyncio.sleep(0)
        steps[0].set()
        await asyncio.sleep(0.01)
        steps[1].set()
        await asyncio.gather(*tasks)
        assert gate.running == 0 and gate.waiting() == 0
        return served

    assert asyncio.run(scenario()) == ["a0", "a1", "b9", "a2", "a3"]


def test_no_more_than_its_width_run_at_once():
    gate = FairGate(2)
    running, most = 0, 0

    async def call(key: str) -> None:
        nonlocal running, most
        async with gate.turn(key):
            running += 1
            most = max(most, running)
            await asyncio.sleep(0.001)
            running -= 1

    async def scenario() -> None:
        await asyncio.gather(*(call(k) for k in "aaabbbcc"))

    asyncio.run(scenario())
    assert most == 2 and gate.running == 0


def test_a_cancelled_wait_gives_its_place_back():
    gate = FairGate(1)

    async def scenario() -> list[str]:
        served: list[str] = []
        release = asyncio.Event()

        async def hold() -> None:
            async with gate.turn("a"):
                await release.wait()

        async def call(key: str) -> None:
            async with gate.turn(key):
                served.append(key)

        held = asyncio.create_task(hold())
        await asyncio.sleep(0)
        gone, kept = asyncio.create_task(call("b")), asyncio.create_task(call("c"))
        await asyncio.sleep(0)
        gone.cancel()  # the socket closed while its message waited
        await asyncio.sleep(0)
        assert gate.waiting("b") == 0 and gate.waiting("c") == 1
        release.set()
        await asyncio.gather(held, kept)
        return served

    assert asyncio.run(scenario()) == ["c"]
    assert gate.running == 0 and gate.waiting() == 0
