"""Abuse limits: the same budget for every web process through a real `redis-server`, the same
behaviour in memory and in Redis, and this process's memory while Redis does not answer."""

from __future__ import annotations

import logging
import time

import pytest
import redis

from tests.web.conftest import PASSWORD, free_port, login
from tests.web.test_broker import start_redis
from relais.settings import Settings
from web.limits import Limits, MemoryPace, MemoryWindow, RedisEvents, RedisPace, RedisWindow

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def started_redis(port: int):
    """A `redis-server` on `port`, answering."""
    process = start_redis(port)
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return process
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)


def until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def redis_port():
    port = free_port()
    process = started_redis(port)
    yield port
    process.kill()
    process.wait(timeout=10)


@pytest.fixture
def redis_url(redis_port):
    """The module's server, emptied: each test starts with no events."""
    redis.Redis(port=redis_port).flushall()
    return f"redis://127.0.0.1:{redis_port}/0"


@pytest.fixture(params=["memory", "redis"])
def limits(request, tmp_path):
    """Limits as the app builds them, on each backend in turn."""
    url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    return Limits.from_settings(Settings(home=tmp_path, secret_key="test-secret", login_failures=3, redis_url=url))


@pytest.fixture(params=["memory", "redis"])
def short_window(request):
    """Two events a second: expiry without long sleeps."""
    if request.param == "memory":
        return MemoryWindow(2, 1.0)
    return RedisWindow("essai", 2, 1.0, RedisEvents(request.getfixturevalue("redis_url")))


def test_two_processes_share_one_budget_through_redis(redis_url, tmp_path):
    settings = Settings(home=tmp_path, secret_key="test-secret", login_failures=3, redis_url=redis_url)
    first, second = Limits.from_settings(settings), Limits.from_settings(settings)
    key = "account:conseil|address:192.0.2.1"
    assert [limits.login_per_client.admit(key) for limits in (first, second, first)] == [0, 0, 0]
    assert 0 < second.login_per_client.admit(key) <= 900
    assert 0 < first.login_per_client.retry_after(key) <= 900
    assert second.login_per_client.admit("account:conseil|address:192.0.2.2") == 0  # another key, its own budget
    for _ in range(10):  # a conversation's messages: 10 a minute, whichever process holds the socket
        (first if _ % 2 else second).messages_per_conversation.admit("conversation-1")
    assert first.messages_per_conversation.admit("conversation-1") > 0


def test_admit_counts_until_the_limit_then_says_how_long_to_wait(limits):
    window, key = limits.login_per_client, "account:conseil|address:192.0.2.1"
    assert [window.admit(key) for _ in range(3)] == [0, 0, 0]
    wait = window.admit(key)
    assert 890 <= wait <= 900  # the oldest of the three leaves the 15-minute window then
    assert window.retry_after(key) == wait
    assert window.admit("account:qualite|address:192.0.2.1") == 0


def test_retry_after_only_looks_and_add_always_counts(limits):
    window, key = limits.login_per_address, "address:192.0.2.1"  # 4 x 3 = 12 in 15 minutes
    assert [window.retry_after(key) for _ in range(20)] == [0] * 20
    for _ in range(11):
        window.add(key)
    assert window.retry_after(key) == 0
    window.add(key)
    assert window.retry_after(key) > 0
    window.add(key)  # past the limit still counted: the route checks before it adds
    window.undo(key)
    assert window.retry_after(key) > 0


def test_undo_forgets_the_newest_event_and_clear_forgets_them_all(limits):
    window, key = limits.login_per_client, "account:conseil|address:192.0.2.1"
    window.undo(key)  # nothing to forget: nothing happens
    window.clear(key)
    for _ in range(3):
        window.add(key)
    assert window.retry_after(key) > 0
    window.undo(key)
    assert window.retry_after(key) == 0
    assert window.admit(key) == 0 and window.admit(key) > 0
    window.clear(key)
    assert [window.admit(key) for _ in range(4)][:3] == [0, 0, 0]
    other = "account:qualite|address:192.0.2.1"
    window.add(other)
    window.clear(key)
    window.undo(key)
    window.add(other)
    window.add(other)
    assert window.retry_after(other) > 0  # clearing or undoing one key leaves the others alone


def test_events_leave_the_window_once_it_has_passed(short_window):
    assert [short_window.admit("k") for _ in range(3)] == [0, 0, 1]
    time.sleep(1.1)
    assert short_window.retry_after("k") == 0
    assert [short_window.admit("k") for _ in range(3)] == [0, 0, 1]


def test_redis_keys_are_namespaced_hashed_when_long_and_vanish_when_idle(redis_url):
    window = RedisWindow("essai", 2, 1.0, RedisEvents(redis_url))
    client = redis.Redis.from_url(redis_url)
    window.admit("address:192.0.2.1")
    assert 0 < client.pttl("relais:limit:essai:address:192.0.2.1") <= 1000
    long_login = "account:" + "x" * 5000
    window.admit(long_login)
    stored = [key.decode() for key in client.keys("relais:limit:essai:*")]
    assert len(stored) == 2 and max(len(key) for key in stored) < 100 and not any("xxxx" in key for key in stored)
    assert window.admit(long_login) == 0 and window.admit(long_login) > 0  # the hashed key still counts
    odd_login = "account:\udcff\n"  # not valid UTF-8, a line break: counted under its digest, no error
    assert [window.admit(odd_login) for _ in range(3)] == [0, 0, 1]
    assert not any("\n" in key.decode() for key in client.keys("relais:limit:essai:*"))
    until(lambda: not client.keys("relais:limit:*"), seconds=5)


def test_without_redis_each_process_counts_its_own(tmp_path):
    settings = Settings(home=tmp_path, secret_key="test-secret", login_failures=1)
    first, second = Limits.from_settings(settings), Limits.from_settings(settings)
    assert first.login_per_client.admit("k") == 0 and second.login_per_client.admit("k") == 0


def test_redis_down_answers_from_memory_warns_once_and_shares_again_when_back(tmp_path, caplog):
    port = free_port()
    server = started_redis(port)
    url = f"redis://127.0.0.1:{port}/0"
    settings = Settings(home=tmp_path, secret_key="test-secret", login_failures=2, redis_url=url)
    first, second = Limits.from_settings(settings), Limits.from_settings(settings)
    key = "account:conseil|address:192.0.2.1"
    try:
        assert first.login_per_client.admit(key) == 0
        server.kill()
        server.wait(timeout=10)
        with caplog.at_level(logging.WARNING, logger="web.limits"):
            # Each process counts in its own memory meanwhile: no exception reaches a login or a socket.
            assert [first.login_per_client.admit(key) for _ in range(3)][:2] == [0, 0]
            assert first.login_per_client.retry_after(key) > 0
            assert [second.login_per_client.admit(key) for _ in range(3)][:2] == [0, 0]
            for window in (first.login_per_account, first.login_per_address, first.messages_per_conversation):
                window.add("x")
                window.undo("x")
                window.clear("x")
            time.sleep(1.2)  # past the pause between two tries of Redis: it is tried (and fails) again
            assert first.conversations_per_address.admit("address:192.0.2.1") == 0
        warnings = [record for record in caplog.records if record.name == "web.limits"]
        assert len(warnings) == 2  # one per process, not one per call
        assert all(record.levelno == logging.WARNING for record in warnings)
        server = started_redis(port)

        def shared_again() -> bool:
            first.login_per_client.clear("after")
            return first.login_per_client.admit("after") == 0 and second.login_per_client.admit("after") == 0 \
                and first.login_per_client.admit("after") > 0 and second.login_per_client.retry_after("after") > 0

        until(shared_again)
    finally:
        server.kill()
        server.wait(timeout=10)


def test_a_redis_that_does_not_answer_in_time_is_passed_over(redis_url, tmp_path, caplog):
    settings = Settings(home=tmp_path, secret_key="test-secret", login_failures=2, redis_url=redis_url)
    limits = Limits.from_settings(settings)
    redis.Redis.from_url(redis_url).client_pause(2000)  # every command waits 2 s: the limits' short timeout expires
    try:
        with caplog.at_level(logging.WARNING, logger="web.limits"):
            admitted = [limits.login_per_client.admit("k") for _ in range(3)]
        assert admitted[:2] == [0, 0] and admitted[2] > 0  # counted in this process's memory meanwhile
        assert ["TimeoutError" in record.getMessage() for record in caplog.records] == [True]
    finally:
        redis.Redis.from_url(redis_url).client_unpause()


@pytest.fixture(params=["memory", "redis"])
def pace(request):
    """Three at once, then one a second; a turn more than 2.5 s away is not booked."""
    if request.param == "memory":
        return MemoryPace(3, 1.0, 2.5)
    return RedisPace("essai", 3, 1.0, 2.5, RedisEvents(request.getfixturevalue("redis_url")))


def test_a_burst_comes_at_once_then_each_new_one_waits_its_turn_and_a_turn_too_far_is_not_booked(pace):
    turns = [pace.book("address:192.0.2.1") for _ in range(5)]
    assert turns[:3] == [0, 0, 0]
    assert 0.5 < turns[3] <= 1.0 and 1.5 < turns[4] <= 2.0  # a steady pace past the burst
    assert pace.book("address:192.0.2.1") is None  # 3 s away: refused, and nothing booked...
    time.sleep(1.0)
    assert 1.0 < pace.book("address:192.0.2.1") <= 2.0  # ...so a second later the next turn is 2 s away, not 3
    assert pace.book("address:192.0.2.2") == 0  # another address, its own burst


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_after_a_quiet_while_a_whole_burst_comes_at_once_again(backend, request):
    pace = MemoryPace(2, 0.1, 1.0) if backend == "memory" else \
        RedisPace("essai", 2, 0.1, 1.0, RedisEvents(request.getfixturevalue("redis_url")))
    assert [pace.book("k") for _ in range(2)] == [0, 0] and pace.book("k") > 0
    assert pace.book("k", longest=0.0) is None  # a turn now or nothing
    time.sleep(0.5)
    assert [pace.book("k") for _ in range(2)] == [0, 0]


def test_new_conversations_are_paced_across_processes_through_redis(redis_url, tmp_path):
    settings = Settings(home=tmp_path, secret_key="test-secret", redis_url=redis_url, conversations_burst=2,
                        conversations_pace=1.0)
    first, second = Limits.from_settings(settings), Limits.from_settings(settings)
    assert first.conversations_pace.book("address:192.0.2.1") == 0
    assert second.conversations_pace.book("address:192.0.2.1") == 0
    assert 0.5 < first.conversations_pace.book("address:192.0.2.1") <= 1.0  # one burst for both processes
    client = redis.Redis.from_url(redis_url)
    assert 0 < client.pttl("relais:limit:conversations_pace:address:192.0.2.1") <= 3000  # gone once idle


def test_a_pace_answers_from_memory_while_redis_does_not(tmp_path):
    nobody = RedisPace("essai", 2, 1.0, 30.0, RedisEvents(f"redis://127.0.0.1:{free_port()}/0"))
    assert [nobody.book("k") for _ in range(2)] == [0, 0] and 0.5 < nobody.book("k") <= 1.0


@pytest.fixture
def two_apps(tmp_path, redis_url, demo_index, scrubber):
    """Two apps, as two web processes: their own services, one database and one Redis."""
    from fastapi.testclient import TestClient

    from assistant.chain import Assistant
    from assistant.drafting import ExtractiveDrafter
    from assistant.pii import MappingStore
    from relais.components import open_store
    from web.app import create_app
    from web.deps import Services
    from web.broker import LocalBroker
    from web.hub import Hub
    from web.nlp import ThreadedNlp

    settings = Settings(home=tmp_path, secret_key="test-secret", redis_url=redis_url)
    assistant = Assistant(index=demo_index, scrubber=scrubber, mappings=MappingStore(), drafter=ExtractiveDrafter())
    apps = []
    for _ in range(2):
        store = open_store(settings)
        apps.append(create_app(services=Services(settings, store, ThreadedNlp(assistant), LocalBroker(), Hub(store))))
    open_store(settings).add_user("conseil", PASSWORD, "counsellor", ["parcoursup"])
    with TestClient(apps[0]) as first, TestClient(apps[1]) as second:
        yield first, second


@pytest.mark.slow
def test_failed_logins_are_counted_across_two_apps_sharing_redis(two_apps):
    first, second = two_apps
    wrong = "pas-le-bon-mot-de-passe"
    statuses = [login(client, "conseil", wrong).status_code for client in (first, second, first, second, first)]
    assert statuses == [401] * 5  # 5 attempts of one account from one address in 15 minutes, whichever app
    throttled = login(second, "conseil", PASSWORD)
    assert throttled.status_code == 429 and 0 < int(throttled.headers["retry-after"]) <= 900
    assert "réessayez" in throttled.text.lower()
    assert login(first, "conseil", PASSWORD).status_code == 429
