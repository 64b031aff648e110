"""The outbox and its sender: queued once, sent once, in order, within Telegram's rules, and
nothing lost when the bot process is killed."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.channels import Outcome, SendResult
from bot.sender import Sender, SenderSettings
from bot.telegram_outbox import TelegramOutbox
from flows import outgoing
from flows.engine import Choice, Reply
from store import users
from store.db import Database
from tests.fake_bot_api import FakeBotAPI
from tests.support import NOW, Clock, env_without_our_settings, eventually, rows
from tests.test_telegram import fake, running  # noqa: F401  (the fixture)


async def queue(db: Database, recipient: str, text: str, key: str, channel: str = "telegram"):
    async with db.transaction() as tx:
        return await outgoing.send(tx, channel, recipient, [Reply(text)], key, now=NOW)


class Recorder:
    """A channel that answers what the test tells it to, and records what was sent."""

    name = "test"

    def __init__(self, **outcomes: list[SendResult]) -> None:
        self.outcomes = outcomes  # per recipient, in turn; then delivered
        self.sent: list[tuple[str, str]] = []

    async def send(self, recipient: str, replies: list[Reply]) -> SendResult:
        self.sent.append((recipient, replies[0].text))
        waiting = self.outcomes.get(recipient)
        return waiting.pop(0) if waiting else SendResult(Outcome.DELIVERED)


async def test_the_same_message_is_never_queued_twice_and_the_payload_goes_once_sent(db):
    assert await queue(db, "1", "Hallo", "k1", channel="test")
    assert not await queue(db, "1", "Hallo again", "k1", channel="test")
    channel = Recorder()
    assert await Sender(db, channel).send_due() == 1
    assert channel.sent == [("1", "Hallo")]
    assert await Sender(db, channel).send_due() == 0
    assert await rows(db, "SELECT status, payload FROM outbox") == [("delivered", "")]


async def test_one_persons_messages_arrive_in_order_one_chat_at_a_time(db):
    for i in range(3):
        await queue(db, "anna", f"anna {i}", f"a{i}", channel="test")
    await queue(db, "bert", "bert 0", "b0", channel="test")
    channel, clock = Recorder(), Clock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    sender = Sender(db, channel, clock=clock)
    await sender.send_due()
    assert channel.sent == [("anna", "anna 0"), ("bert", "bert 0")]
    await sender.send_due()  # within the second: anna waits for her next message
    assert len(channel.sent) == 2
    clock.now += timedelta(seconds=1)
    await sender.send_due()
    clock.now += timedelta(seconds=1)
    await sender.send_due()
    assert [text for who, text in channel.sent if who == "anna"] == ["anna 0", "anna 1", "anna 2"]


async def test_flood_control_waits_without_counting_and_failures_are_bounded(db):
    await queue(db, "f", "flood", "f", channel="test")
    await queue(db, "b", "broken", "b", channel="test")
    await queue(db, "t", "timeout", "t", channel="test")
    channel = Recorder(
        f=[SendResult(Outcome.RETRY_AFTER, retry_after=30)],
        b=[SendResult(Outcome.FAILED, detail="500")] * 3,
        t=[SendResult(Outcome.UNCERTAIN, detail="timed out")],
    )
    clock = Clock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    sender = Sender(db, channel, SenderSettings(max_attempts=3, backoff=10), clock=clock)
    await sender.send_due()  # flood, broken (1st failure), timeout
    assert await rows(db, "SELECT unique_key, status, attempts FROM outbox ORDER BY id") == [
        ("f", "queued", 0),
        ("b", "queued", 1),
        ("t", "uncertain", 0),
    ]
    clock.now += timedelta(seconds=10)
    await sender.send_due()  # broken again (2nd); flood still waits its 30 seconds
    clock.now += timedelta(seconds=25)
    await sender.send_due()  # flood now goes; broken waits 20 s after its 2nd failure
    clock.now += timedelta(seconds=60)
    await sender.send_due()  # broken: 3rd failure, given up
    clock.now += timedelta(hours=1)
    assert await sender.send_due() == 0
    assert await rows(db, "SELECT unique_key, status, attempts FROM outbox ORDER BY id") == [
        ("f", "delivered", 0),
        ("b", "failed", 3),
        ("t", "uncertain", 0),
    ]
    assert [text for _, text in channel.sent].count("timeout") == 1  # uncertain: never resent


async def test_over_telegram_blocked_users_are_marked_inactive_and_429_is_waited_out(
    fake: FakeBotAPI,  # noqa: F811
    example_db,
    tmp_path,
):
    async with example_db.transaction() as tx:
        for external_id in ("501", "502", "503"):
            await users.create(tx, "telegram", external_id, "nl", NOW)
    await queue(example_db, "501", "Een antwoord voor jou", "m1")
    await queue(example_db, "501", "Nog een bericht", "m2")
    await queue(example_db, "502", "Voor iemand die de bot blokkeerde", "m3")
    await queue(example_db, "502", "Ook dit niet", "m4")
    await queue(example_db, "503", "Na even wachten", "m5")
    fake.fail(502, 403)
    fake.fail(503, 429, retry_after=1)
    async with running(fake, example_db.path):
        await fake.wait_for(lambda: fake.texts(501)[-1:] == ["Nog een bericht"] and fake.texts(503))
    assert fake.texts(501) == ["Een antwoord voor jou", "Nog een bericht"]
    assert fake.texts(503) == ["Na even wachten"]
    assert fake.texts(502) == []
    assert len([c for c in fake.called("sendMessage") if c.chat_id == 502]) == 1  # not retried
    assert await rows(
        example_db, "SELECT external_id, active FROM users WHERE channel = 'telegram'"
    ) == [("501", 1), ("502", 0), ("503", 1)]
    assert await rows(example_db, "SELECT unique_key, status FROM outbox ORDER BY id") == [
        ("m1", "delivered"),
        ("m2", "delivered"),
        ("m3", "blocked"),
        ("m4", "blocked"),
        ("m5", "delivered"),
    ]


async def test_buttons_of_a_queued_message_arrive_as_inline_buttons(fake, example_db):  # noqa: F811
    async with example_db.transaction() as tx:
        await outgoing.send(
            tx, "telegram", "601", [Reply("Kies", (Choice("hc:r:1", "Antwoorden"),))], "k", now=NOW
        )
    async with running(fake, example_db.path):
        await fake.wait_for(lambda: fake.sent(601))
    markup = fake.sent(601)[0].result["reply_markup"]["inline_keyboard"]
    assert markup[0][0]["callback_data"] == "hc:r:1"
    assert TelegramOutbox.name == "telegram"


async def test_killing_the_bot_loses_nothing_and_repeats_only_what_was_in_flight(
    fake: FakeBotAPI,  # noqa: F811
    example_db,
    tmp_path: Path,
):
    """The real `mantelbot run` process, SIGKILLed while the outbox holds 200 notifications."""
    chats = list(range(7001, 7201))
    async with example_db.transaction() as tx:
        for chat in chats:
            await outgoing.send(
                tx, "telegram", str(chat), [Reply(f"Nieuwe vraag {chat}")], f"n{chat}", now=NOW
            )
    env = env_without_our_settings(
        MANTELBOT_DB=example_db.path,
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_URL=fake.url,
        MANTELBOT_TELEGRAM_RATE="25",  # paced, so the kill lands halfway
        MANTELBOT_OUTBOX_LEASE="2",
    )

    def delivered() -> Counter:
        return Counter(c.chat_id for c in fake.sent(method="sendMessage"))

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env,
            cwd=tmp_path,
            stderr=(tmp_path / "stderr.log").open("ab"),
        )

    process = await start()
    try:
        await fake.wait_for(lambda: len(delivered()) >= 70, within=60)  # mid-batch
        process.send_signal(signal.SIGKILL)
        await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
    at_kill = len(delivered())
    in_flight = (await rows(example_db, "SELECT count(*) FROM outbox WHERE status = 'sending'"))[0][
        0
    ]
    assert at_kill < len(chats), "the kill came too late to test anything"

    process = await start()
    try:
        await fake.wait_for(lambda: len(delivered()) == len(chats), within=90)
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    counts = delivered()
    twice = [chat for chat, n in counts.items() if n > 1]
    assert set(counts) == set(chats)  # every one arrived
    assert max(counts.values()) <= 2
    assert len(twice) <= in_flight  # only what was in flight at the kill came twice
    assert await rows(example_db, "SELECT status, count(*) FROM outbox GROUP BY status") == [
        ("delivered", len(chats))
    ]
    for chat in chats:
        assert fake.texts(chat)[0] == f"Nieuwe vraag {chat}"
    print(f"killed after {at_kill} of 200; in flight {in_flight}; twice {len(twice)}")


async def test_a_send_that_hangs_is_marked_uncertain_and_never_sent_again(db):
    class Hanging:
        name = "test"
        calls = 0

        async def send(self, recipient: str, replies: list[Reply]) -> SendResult:
            Hanging.calls += 1
            await asyncio.sleep(30)
            return SendResult(Outcome.DELIVERED)

    await queue(db, "1", "Hallo", "h", channel="test")
    sender = Sender(db, Hanging(), SenderSettings(send_timeout=0.05))
    assert await sender.send_due() == 1
    assert await sender.send_due() == 0
    assert Hanging.calls == 1
    assert await rows(db, "SELECT status, detail FROM outbox") == [("uncertain", "timed out")]


async def test_an_idle_sender_sleeps_until_a_message_is_queued(db):
    channel = Recorder()
    sender = Sender(db, channel, SenderSettings(idle_recheck=3600))
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    await asyncio.sleep(0.5)  # nothing queued: one look at the table, then asleep
    idle_passes = sender.passes
    await queue(db, "1", "Wakker", "w", channel="test")
    await eventually(lambda: channel.sent)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert idle_passes == 1
    assert channel.sent == [("1", "Wakker")]
