"""The Signal channel end to end: the real channel and engine talking JSON-RPC over TCP to a fake
signal-cli daemon (tests/fake_signal_cli.py), on a real SQLite file, with a made-up
municipality's data (Kampen), not Amsterdam's."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot import serve
from bot.channels import Outcome
from bot.config import Config
from bot.sender import Sender, SenderSettings
from bot.signal import (
    MAX_BODY_BYTES,
    SignalChannel,
    SignalSettings,
    body_size,
    render,
)
from flows import Incoming, Reply, outgoing
from flows.engine import Choice, Document, offered_keys
from store import coordinators, outbox
from store.csv_files import import_areas, import_resources
from store.db import Database
from tests import town
from tests.fake_bot_api import FakeBotAPI
from tests.fake_signal_cli import FakeSignalCli, Sent
from tests.support import NOW, TZ, env_without_our_settings, eventually, make_engine, rows
from tests.test_cli import mantelbot

KAMPEN_AREAS = b"""code,name,parent,postcodes
kampen,Kampen,nl,8260-8266
brunnepe,Brunnepe,kampen,8262
ijsselmuiden,IJsselmuiden,kampen,8271
"""
KAMPEN_RESOURCES = b"""id,name,category,functions,areas,description_nl,description_en,\
first_step_nl,first_step_en,phone,source,active
kp-logeerhuis,Logeerhuis De Buitenwacht,respite,verlichten,brunnepe,\
Je naaste logeert een weekend in De Buitenwacht.,Your loved one stays a weekend at De Buitenwacht.,\
Bel en vraag naar een logeerweekend.,Call and ask for a weekend stay.,038 000 00 11,test,1
kp-cursus,Cursus Zorgen en Zelf Leven,course,versterken,kampen,\
Een cursus voor mantelzorgers in Kampen.,A course for carers in Kampen.,\
Meld je aan via de website.,Sign up on the website.,038 000 00 12,test,1
"""


@pytest.fixture
async def fake() -> AsyncIterator[FakeSignalCli]:
    server = await FakeSignalCli().start()
    yield server
    await server.stop()
    assert not server.violations, server.violations  # nothing the real daemon would refuse


@pytest.fixture
async def kampen(db: Database) -> Database:
    await import_areas(db, KAMPEN_AREAS, lambda s: s, "test")
    await import_resources(db, KAMPEN_RESOURCES, lambda s: s, "test")
    return db


@asynccontextmanager
async def running(
    fake: FakeSignalCli, db: Database, with_sender: bool = False
) -> AsyncIterator[SignalChannel]:
    """The channel as `mantelbot run --channel signal` runs it, with its outbox sender when
    asked (no pacing: tests stay quick)."""
    settings = SignalSettings("127.0.0.1", fake.port, recipient_interval=0, outbox_interval=0)
    channel = SignalChannel(make_engine(db), settings, min_backoff=0.05, max_backoff=0.2)
    stop = asyncio.Event()
    subscribes = fake.subscribes
    tasks = [asyncio.create_task(channel.serve(stop))]
    if with_sender:
        sender = Sender(db, channel, SenderSettings(per_chat_interval=0))
        tasks.append(asyncio.create_task(sender.run(stop)))
    try:
        await fake.wait_for(lambda: fake.subscribes > subscribes or tasks[0].done())
        yield channel
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 30)


@dataclass
class Phone:
    """A carer on Signal: sends text and reads what the bot sent back."""

    fake: FakeSignalCli
    uuid: str = "5f0c2d7e-1b3a-4c5d-9e8f-0a1b2c3d4e5f"
    last: list[Sent] = field(default_factory=list)

    @property
    def number(self) -> str:
        return self.fake.phone(self.uuid).number

    async def says(self, text: str, until: str) -> str:
        """Send `text`; wait for a message that contains `until`; return the turn's text."""
        mark = len(self.fake.sent_to(self.uuid))
        await self.fake.user_sends(self.uuid, text)
        return await self.reads(mark, until)

    async def reads(self, mark: int, until: str) -> str:
        await self.fake.wait_for(
            lambda: any(until in s.text for s in self.fake.sent_to(self.uuid)[mark:])
        )
        self.last = self.fake.sent_to(self.uuid)[mark:]
        return self.text

    async def picks(self, label: str, until: str) -> str:
        """Type the number shown before `label` in the last turn."""
        number = next(
            line.split(". ", 1)[0]
            for line in self.text.splitlines()
            if line.split(". ", 1)[-1] == label and line.split(". ", 1)[0].isdigit()
        )
        return await self.says(number, until)

    @property
    def text(self) -> str:
        return "\n\n".join(s.text for s in self.last)


async def onboard(phone: Phone) -> None:
    """First contact to the main menu, in English, living in Brunnepe (Kampen)."""
    await phone.says("/start", until="2. English")
    await phone.says("English", until="Is it OK that I store this?")
    await phone.says("1", until="Where do you live?")
    await phone.says("8262 AB", until="Where does the person you care for live?")
    await phone.says("Same as me", until="What would you like to do?")


async def test_first_contact_asks_the_language_then_consent_postcode_and_respite_in_kampen(
    fake, kampen, caplog
):
    caplog.set_level(logging.INFO)
    phone = Phone(fake)
    async with running(fake, kampen):
        text = await phone.says("/start", until="2. English")
        # Signal tells no language: the question is asked in both, before anything else.
        assert "Welke taal wil je?" in text and "Which language do you want?" in text
        assert "1. Nederlands" in text
        text = await phone.says("2", until="Is it OK that I store this?")
        assert "I am a bot" in text and "1. Yes, that is fine" in text
        await phone.says("yes, that is fine", until="Where do you live?")  # a label picks too
        text = await phone.says("8262 AB", until="Where does the person you care for live?")
        assert "Brunnepe" in text
        await phone.says("1", until="What would you like to do?")  # "Same as me"
        text = await phone.says("I am looking for help", until="What kind of help")
        assert "1. I want some time off" in text
        text = await phone.says("1", until="Logeerhuis De Buitenwacht")
        assert "Call and ask for a weekend stay." in text and "038 000 00 11" in text

    # Stored under the Signal UUID, in English, with the district; the number is nowhere.
    assert await rows(
        kampen, "SELECT language, home_area, care_area FROM users WHERE channel = 'signal'"
    ) == [("en", "brunnepe", "brunnepe")]
    assert await rows(kampen, "SELECT external_id FROM users") == [(phone.uuid,)]
    assert phone.number not in await database_text(kampen)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "handled channel=signal user=" in logged
    for secret in (phone.number, phone.uuid, "8262", "Buitenwacht"):
        assert secret not in logged
    # Every send went to the UUID, never to a phone number.
    assert {r["params"]["recipient"][0] for r in fake.requests if r["method"] == "send"} == {
        phone.uuid
    }


async def test_dutch_first_contact_and_a_choice_typed_as_a_list_number(fake, kampen):
    phone = Phone(fake, uuid="0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d")
    async with running(fake, kampen):
        await phone.says("Hallo", until="1. Nederlands")
        text = await phone.says("1.", until="Vind je het goed dat ik dit bewaar?")
        assert "Ik ben Mantelbot" in text and "1. Ja, dat is goed" in text


async def test_the_daemon_drops_mid_conversation_and_nothing_is_lost_or_repeated(fake, kampen):
    phone = Phone(fake)
    async with running(fake, kampen) as channel:
        await phone.says("/start", until="2. English")
        await phone.says("2", until="Is it OK that I store this?")

        # The daemon dies while the bot sends its answer: the answer is sent after reconnecting.
        fake.drop_on_next_send(phone.uuid)
        text = await phone.says("1", until="Where do you live?")
        assert fake.subscribes == 2
        assert sum("Where do you live?" in t for t in fake.texts(phone.uuid)) == 1

        # The daemon is gone for a while; the carer writes meanwhile: it waits on the server.
        await fake.stop()
        await asyncio.wait_for(channel.rpc.down.wait(), 10)
        mark = len(fake.sent_to(phone.uuid))
        envelope = await fake.user_sends(phone.uuid, "8262 AB")
        assert fake.waiting == [envelope] and len(fake.sent_to(phone.uuid)) == mark
        await fake.restart()
        text = await phone.reads(mark, until="Where does the person you care for live?")
        assert "Brunnepe" in text and fake.subscribes == 3

        # A daemon that crashed before it acknowledged the message delivers it again: the bot
        # does not answer it twice (the next message shows the earlier one was skipped).
        await fake.redeliver(envelope)
        await phone.says("Same as me", until="What would you like to do?")
        assert (
            sum("Where does the person you care for live?" in t for t in fake.texts(phone.uuid))
            == 1
        )

    assert await rows(kampen, "SELECT home_area, care_area FROM users") == [
        ("brunnepe", "brunnepe")
    ]


async def test_after_a_restart_a_typed_number_still_picks_from_the_stored_question(fake, kampen):
    phone = Phone(fake)
    async with running(fake, kampen):
        await phone.says("/start", until="2. English")
        await phone.says("2", until="Is it OK that I store this?")
        text = await phone.says("1", until="Where do you live?")
        assert "2. Skip" in text
    async with running(fake, kampen):  # a new process: the shown list is gone from memory
        text = await phone.says("2", until="Where does the person you care for live?")
        assert "Where do you live?" not in text


async def test_a_long_reply_is_split_below_1800_bytes_with_the_choices_at_the_end(fake, kampen):
    sentence = "Één café-middag per week voor mantelzorgers 🙂."
    description = " ".join([sentence] * 30)  # about 1,600 bytes: three cards make 5,000
    courses = "".join(
        f'kp-lang-{i},Lange Cursus {i},course,kampen,"{description}"\n' for i in range(3)
    )
    await import_resources(
        kampen,
        ("id,name,category,areas,description_en\n" + courses).encode(),
        lambda s: s,
        "test",
    )
    phone = Phone(fake)
    async with running(fake, kampen):
        await onboard(phone)
        await phone.says("I am looking for help", until="What kind of help")
        text = await phone.says("A course", until="Main menu")
    assert len(phone.last) >= 2
    assert all(body_size(s.text) <= MAX_BODY_BYTES for s in phone.last)
    # Three cards a page: the short course and two long ones; nothing lost at the cuts.
    assert "Lange Cursus 0" in text and "Lange Cursus 1" in text
    assert text.count(sentence) == 60
    assert "Main menu" in phone.last[-1].text and "Main menu" not in phone.last[0].text


def test_render_numbers_choices_across_a_turn_and_splits_on_utf8_bytes():
    long = "\n\n".join(f"Alinea {i}: " + "ë" * 300 for i in range(10))  # 2 bytes a letter
    replies = [
        Reply(long, (Choice("a", "Eerste"),)),
        Reply("Nog een vraag?", (Choice("b", "Tweede"), Choice("c", "Derde"))),
    ]
    messages = render(replies)
    assert len(messages) > 2
    assert all(body_size(m.text) <= MAX_BODY_BYTES for m in messages)
    assert messages[-1].text.endswith("Nog een vraag?\n\n2. Tweede\n3. Derde")
    assert "1. Eerste" in "".join(m.text for m in messages)


async def test_mijngegevens_sends_the_export_as_an_attachment(fake, kampen):
    phone = Phone(fake)
    async with running(fake, kampen):
        await onboard(phone)
        await phone.says("/mijngegevens", until="everything I have stored about you")
        await fake.wait_for(lambda: any(s.attachments for s in fake.sent_to(phone.uuid)))
    (sent,) = [s for s in fake.sent_to(phone.uuid) if s.attachments]
    ((mime, name, content),) = sent.attachments
    assert (mime, name) == ("application/json", "mantelbot-data.json")  # in English
    exported = json.loads(content)
    assert "brunnepe" in json.dumps(exported)
    assert phone.number not in content.decode()


async def test_a_photo_gets_a_clear_answer_and_typing_or_groups_get_none(fake, kampen):
    phone = Phone(fake)
    async with running(fake, kampen):
        await onboard(phone)
        await fake.user_types(phone.uuid)
        await fake.user_sends(phone.uuid, "hallo allemaal", group_id="Z3JvdXA=")
        mark = len(fake.sent_to(phone.uuid))
        await fake.user_sends(
            phone.uuid, None, attachments=[{"contentType": "image/jpeg", "id": "a1", "size": 9}]
        )
        text = await phone.reads(mark, until="only read text")
        # Signal shows numbered lines, not buttons: the reply says how to choose there.
        assert "type the number in front of it" in text and "button" not in text
        assert "1. Am I a carer?" in text  # the choices again
    assert len(fake.sent_to(phone.uuid)) == mark + 1
    assert all(r["params"].get("recipient") for r in fake.requests if r["method"] == "send")


async def test_a_coordinator_joins_with_an_invite_code_and_opens_beheer_over_signal(fake, kampen):
    async with kampen.transaction() as tx:
        code = await coordinators.create_invite(tx, ["kampen"], actor="test", now=NOW)
    phone = Phone(fake, uuid="c0c0c0c0-1111-4222-8333-444455556666")
    async with running(fake, kampen):
        text = await phone.says(f"/coordinator {code}", until="Wat is je voornaam?")
        assert "coördinator voor: Kampen" in text
        await phone.says("Karim", until="organisatie")
        await phone.says("Steunpunt Kampen", until="Beheer")
        text = await phone.says("/beheer", until="Beheer (Karim, Steunpunt Kampen)")
        assert "Jouw gebieden: Kampen" in text and ". Hoofdmenu" in text
    assert await rows(kampen, "SELECT channel, external_id FROM users") == [("signal", phone.uuid)]


async def test_a_coordinator_imports_a_csv_file_sent_as_an_attachment(fake, db):
    await town.build(db)
    fenna = Phone(fake, uuid="f0f0f0f0-2222-4333-8444-555566667777")
    await town.add_coordinator(db, fenna.uuid, ["weidebroek"], channel="signal")
    upload = (
        b"id;name;category;areas;description_nl;phone\r\n"
        b"wb-maatje-noord;Maatje Noord;buddy;wb-noord;Een vrijwilliger komt langs.;0599 300 300\r\n"
    )
    async with running(fake, db):
        await fenna.says("/beheer", until="Hulpbronnen in mijn gebieden")
        await fenna.picks("Hulpbronnen in mijn gebieden", until="CSV-bestand uploaden")
        await fenna.picks("CSV-bestand uploaden", until="CSV")
        mark = len(fake.sent_to(fenna.uuid))
        await fake.user_sends_file(fenna.uuid, "hulpbronnen.csv", upload, "text/csv")
        text = await fenna.reads(mark, until="Toepassen")
        assert "1 nieuw, 0 gewijzigd" in text and "wb-maatje-noord" in text
        assert await rows(db, "SELECT 1 FROM resources WHERE id = 'wb-maatje-noord'") == []
        text = await fenna.picks("Toepassen", until="Klaar")
        assert "Klaar: 1 nieuw, 0 gewijzigd" in text
    assert await rows(db, "SELECT name FROM resources WHERE id = 'wb-maatje-noord'") == [
        ("Maatje Noord",)
    ]


async def test_send_outcomes_for_the_outbox(fake, kampen):
    phone = Phone(fake)
    news = [Reply("Nieuws uit Kampen: de cursus start in januari.")]
    async with running(fake, kampen) as channel:
        await onboard(phone)

        result = await channel.send(phone.uuid, news)
        assert result.outcome is Outcome.DELIVERED
        assert fake.texts(phone.uuid)[-1] == "Nieuws uit Kampen: de cursus start in januari."

        fake.fail_next_send(phone.uuid, "RATE_LIMIT_FAILURE", retry_after=7)
        result = await channel.send(phone.uuid, news)
        assert (result.outcome, result.retry_after) == (Outcome.RETRY_AFTER, 7.0)

        fake.fail_next_send(phone.uuid, "NETWORK_FAILURE")
        assert (await channel.send(phone.uuid, news)).outcome is Outcome.FAILED

        fake.drop_on_next_send(phone.uuid)  # it may have gone out: never sent twice
        assert (await channel.send(phone.uuid, news)).outcome is Outcome.UNCERTAIN
        await fake.wait_for(lambda: fake.subscribed)

        fake.phones[phone.uuid].registered = False  # they left Signal
        assert (await channel.send(phone.uuid, news)).outcome is Outcome.BLOCKED
        fake.phones[phone.uuid].registered = True

        await fake.stop()
        await asyncio.wait_for(channel.rpc.down.wait(), 10)
        result = await channel.send(phone.uuid, news)
        assert result.outcome is Outcome.RETRY_AFTER  # not written: again when it is back
        await fake.restart()


async def test_the_outbox_sender_delivers_over_signal_and_marks_a_gone_carer_inactive(fake, kampen):
    phone = Phone(fake)
    async with running(fake, kampen, with_sender=True):
        await onboard(phone)
        async with kampen.transaction() as tx:
            await outgoing.send(tx, "signal", phone.uuid, [Reply("Nieuws 1")], "n1", now=NOW)
        await fake.wait_for(lambda: "Nieuws 1" in fake.texts(phone.uuid))

        fake.phones[phone.uuid].registered = False
        async with kampen.transaction() as tx:
            await outgoing.send(tx, "signal", phone.uuid, [Reply("Nieuws 2")], "n2", now=NOW)
        await eventually(lambda: rows(kampen, "SELECT 1 FROM users WHERE active = 0"))

        # They come back and write: active again, and the conversation goes on.
        fake.phones[phone.uuid].registered = True
        await phone.says("/menu", until="What would you like to do?")
        assert await rows(kampen, "SELECT active FROM users") == [(1,)]
    async with kampen.read() as tx:
        assert await outbox.counts(tx, "signal") == {"delivered": 1, "blocked": 1}
    assert "Nieuws 2" not in fake.texts(phone.uuid)


async def test_a_gone_carer_who_writes_after_a_restart_is_active_again(fake, kampen):
    phone = Phone(fake)
    async with running(fake, kampen, with_sender=True):
        await onboard(phone)
        fake.phones[phone.uuid].registered = False
        async with kampen.transaction() as tx:
            await outgoing.send(tx, "signal", phone.uuid, [Reply("Nieuws")], "n", now=NOW)
        await eventually(lambda: rows(kampen, "SELECT 1 FROM users WHERE active = 0"))
    fake.phones[phone.uuid].registered = True
    # A new process did not see them leave: their message must still bring them back, or no
    # reminder or news would reach them again.
    async with running(fake, kampen):
        await phone.says("/menu", until="What would you like to do?")
    assert await rows(kampen, "SELECT active FROM users") == [(1,)]


async def test_telegram_and_signal_in_one_process_on_one_database(fake, kampen):
    """`MANTELBOT_CHANNELS=telegram,signal`: one engine, both channels, each with its sender;
    a message queued for a Telegram carer and one for a Signal carer each arrive once."""
    bot_api = await FakeBotAPI().start()
    config = Config(Path(kampen.path), bot_api.token, bot_api.url, TZ, "nl")
    settings = serve.Settings(
        SenderSettings(per_chat_interval=0),
        SignalSettings("127.0.0.1", fake.port, recipient_interval=0, outbox_interval=0),
    )
    stop = asyncio.Event()
    jobs = serve.services(make_engine(kampen), config, ("telegram", "signal"), settings, stop)
    runner = asyncio.create_task(serve.run_until_stopped(jobs, stop))
    phone = Phone(fake)
    try:
        await fake.wait_for(lambda: fake.subscribes)
        await onboard(phone)
        bot_api.send_text(4242, "/start")
        await bot_api.wait_for(lambda: bot_api.texts(4242))
        news = [Reply("Nieuws voor iedereen in Kampen")]
        async with kampen.transaction() as tx:
            for channel, recipient in (("telegram", "4242"), ("signal", phone.uuid)):
                await outgoing.send(tx, channel, recipient, news, f"news:{channel}", now=NOW)
        await fake.wait_for(lambda: "Nieuws voor iedereen in Kampen" in fake.texts(phone.uuid))
        await bot_api.wait_for(lambda: "Nieuws voor iedereen in Kampen" in bot_api.texts(4242))
    finally:
        stop.set()
        failed = await asyncio.wait_for(runner, 60)
        await bot_api.stop()
    assert not failed
    assert fake.texts(phone.uuid).count("Nieuws voor iedereen in Kampen") == 1
    assert bot_api.texts(4242).count("Nieuws voor iedereen in Kampen") == 1
    assert await rows(kampen, "SELECT channel FROM users ORDER BY channel") == [("signal",)]


async def test_a_document_alone_goes_as_an_attachment_without_text():
    (message,) = render([Reply("", document=Document("x.json", b"{}"))])
    assert message.text == "" and message.attachments[0].startswith(
        "data:application/json;filename=x.json;base64,"
    )


async def test_the_language_is_asked_once_and_only_where_the_app_tells_none(example_db):
    engine = make_engine(example_db)

    async def signal_user(**kw: str) -> list[str]:
        replies = await engine.handle(Incoming("signal", "u-1", ask_language=True, **kw))
        return offered_keys(replies)

    assert await signal_user(text="hoi") == ["lang:nl", "lang:en"]  # no "back" before a start
    assert (await signal_user(text="Frans"))[:2] == ["lang:nl", "lang:en"]  # asked again
    assert "yes" in await signal_user(choice="lang:en")
    assert "yes" in await signal_user(text="/start")  # known now: the welcome, not the question
    await signal_user(choice="yes")
    restarted = make_engine(example_db)  # the choice is stored with the consent
    replies = await restarted.handle(Incoming("signal", "u-1", text="/start", ask_language=True))
    assert "Welcome back!" in replies[0].text
    # An app that tells the language (Telegram) is not asked.
    telegram = await engine.handle(Incoming("telegram", "9", text="/start", language_hint="en"))
    assert "yes" in offered_keys(telegram)


def test_settings_from_the_environment():
    settings = SignalSettings.from_env(
        {"SIGNAL_CLI_ADDRESS": "[::1]:7600", "SIGNAL_ACCOUNT": "+31612345678"}
    )
    assert (settings.host, settings.port, settings.account) == ("::1", 7600, "+31612345678")
    assert (settings.recipient_interval, settings.outbox_interval) == (1.0, 3.0)
    assert "+31612345678" not in repr(settings)
    assert SignalSettings.from_env({}).port == 7583
    with pytest.raises(ValueError, match="SIGNAL_CLI_ADDRESS"):
        SignalSettings.from_env({"SIGNAL_CLI_ADDRESS": "localhost"})
    with pytest.raises(ValueError, match="MANTELBOT_SIGNAL_OUTBOX_INTERVAL"):
        SignalSettings.from_env({"MANTELBOT_SIGNAL_OUTBOX_INTERVAL": "fast"})


def mantelbot_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return env_without_our_settings(**{"MANTELBOT_DB": str(tmp_path / "run.sqlite3")} | extra)


async def test_mantelbot_run_channel_signal_serves_carers_and_stops_on_sigterm(
    fake, kampen, tmp_path
):
    env = mantelbot_env(tmp_path, MANTELBOT_DB=kampen.path, SIGNAL_CLI_ADDRESS=fake.address)
    log_file = tmp_path / "stderr.log"
    with log_file.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--channel", "signal", env=env, stderr=stderr
        )
    phone = Phone(fake)
    try:
        await fake.wait_for(lambda: fake.subscribes > 0, within=30)
        await onboard(phone)
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
    logged = log_file.read_text()
    assert code == 0, logged
    assert "handled channel=signal user=" in logged
    assert phone.uuid not in logged and phone.number not in logged
    assert await rows(kampen, "SELECT home_area FROM users") == [("brunnepe",)]


def test_both_channels_without_a_telegram_token_name_the_variable(tmp_path):
    done = mantelbot(tmp_path, "run", env={"MANTELBOT_CHANNELS": "telegram,signal"})
    assert done.returncode == 2 and "TELEGRAM_BOT_TOKEN" in done.stderr


def test_an_unknown_channel_is_a_configuration_error(tmp_path):
    done = mantelbot(tmp_path, "run", env={"MANTELBOT_CHANNELS": "whatsapp"})
    assert done.returncode == 2 and "MANTELBOT_CHANNELS" in done.stderr


async def database_text(db: Database) -> str:
    """Everything stored, as one text (to check that something is nowhere in it)."""
    tables = [t for (t,) in await rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    found = []
    for table in tables:
        found += [repr(r) for r in await rows(db, f"SELECT * FROM {table}")]
    return "\n".join(found)
