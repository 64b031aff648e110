"""The Telegram bot end to end: the real python-telegram-bot Application that `mantelbot run`
builds, polling a fake Bot API server over HTTP, on a real SQLite file."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from bot import private_logs
from bot.config import Config
from bot.telegram import CHANNEL, TelegramBot, WebhookSettings, make_engine
from store.db import Database
from tests.fake_bot_api import FakeBotAPI, keys_of, labels_of, visible_text
from tests.support import TZ, env_without_our_settings, eventually, rows

# Everything every test in this module logged, and every update its users sent: the last test
# checks that no text and no user id reached a log.
WHOLE_RUN_LOG: list[str] = []
WHOLE_RUN_UPDATES: list[dict] = []


class _Collect(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        WHOLE_RUN_LOG.append(self.format(record))


@pytest.fixture(scope="module", autouse=True)
def whole_run_log():
    """Every logger at DEBUG, python-telegram-bot's too: its raw-data paths must stay clean."""
    private_logs.install()  # as `mantelbot` does when it sets up logging
    handler = _Collect(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root, library = logging.getLogger(), logging.getLogger("telegram")
    levels = root.level, library.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    library.setLevel(logging.DEBUG)
    yield
    root.removeHandler(handler)
    root.setLevel(levels[0])
    library.setLevel(levels[1])


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    server = await FakeBotAPI().start()
    yield server
    await server.stop()
    WHOLE_RUN_UPDATES.extend(server.pushed)


@asynccontextmanager
async def running(
    fake: FakeBotAPI, db_path: Path | str, locale: str = "nl"
) -> AsyncIterator[TelegramBot]:
    """The bot as `mantelbot run` runs it, with a short long-poll for quick shutdowns."""
    db = await Database.open(db_path)
    config = Config(Path(db_path), fake.token, fake.url, TZ, locale)
    bot = TelegramBot(config, make_engine(db, config))
    stop = asyncio.Event()
    polls = fake.polls
    task = asyncio.create_task(bot.serve(stop, poll_timeout=1))
    try:
        await fake.wait_for(lambda: fake.polls > polls or task.done())
        yield bot
    finally:
        stop.set()
        await task
        await db.close()


def has_keyboard(messages: list[dict]) -> bool:
    return bool(messages) and "reply_markup" in messages[-1]


@dataclass
class Carer:
    """One person on their phone: sends text, presses buttons, reads what arrives."""

    fake: FakeBotAPI
    user_id: int = 4242
    language: str | None = "nl"
    last: list[dict] = field(default_factory=list)  # the bot's messages of the last turn

    def since(self, mark: int) -> list[dict]:
        return [
            call.result
            for call in self.fake.calls[mark:]
            if call.ok
            and call.method in ("sendMessage", "sendDocument")
            and call.chat_id == self.user_id
        ]

    async def _turn(self, push: Callable[[], object], until: Callable[[list[dict]], bool]) -> list:
        mark = len(self.fake.calls)
        push()
        self.last = await self.fake.wait_for(lambda: until(self.since(mark)) and self.since(mark))
        return self.last

    async def send(self, text: str, until=has_keyboard) -> list[dict]:
        return await self._turn(
            lambda: self.fake.send_text(self.user_id, text, self.language), until
        )

    async def send_kind(self, kind: str) -> list[dict]:
        return await self._turn(
            lambda: self.fake.send_kind(self.user_id, kind, self.language), has_keyboard
        )

    def menu(self) -> dict:
        """The newest message with buttons, as the phone shows it."""
        for call in reversed(self.fake.sent(self.user_id)):
            if "reply_markup" in call.result:
                return call.result
        raise AssertionError("no message with buttons yet")

    async def press(self, key: str, message: dict | None = None) -> list[dict]:
        message = message or self.menu()
        assert key in keys_of(message), f"{key!r} not among {keys_of(message)}"
        return await self._turn(
            lambda: self.fake.press(self.user_id, message, key, self.language), has_keyboard
        )

    async def press_first(self, predicate: Callable[[str], bool]) -> list[dict]:
        key = next(k for k in self.keys if predicate(k))
        return await self.press(key)

    @property
    def keys(self) -> list[str]:
        return keys_of(self.last[-1]) if self.last else []

    @property
    def labels(self) -> list[str]:
        return labels_of(self.last[-1]) if self.last else []

    @property
    def text(self) -> str:
        return "\n\n".join(m.get("text", "") for m in self.last)


async def onboard(carer: Carer, postcode: str = "1055 AB") -> None:
    """/start → consent → postcode → the naaste lives nearby too → the main menu."""
    await carer.send("/start")
    await carer.press("yes")
    await carer.send(postcode)
    if "same" in carer.keys:  # asked where the naaste lives
        await carer.press("same")
    assert "find" in carer.keys or "check" in carer.keys, carer.keys


def is_respite(key: str) -> bool:
    return key in ("door:respite", "cat:respite")


async def burden_check_all_yes(carer: Carer) -> None:
    """The nine EDIZ statements, each answered "Yes!": the high band."""
    await carer.press("check")
    await carer.press("start")
    for _ in range(9):
        await carer.press_first(lambda key: key.startswith("ediz:") and key.endswith(":4"))


async def test_carer_walks_from_start_through_the_burden_check_to_respite_in_west(fake, example_db):
    carer = Carer(fake)
    async with running(fake, example_db.path):
        await carer.send("/start")
        assert "Ik ben Mantelbot" in carer.text
        assert carer.keys[:2] == ["yes", "no"]
        welcome = carer.menu()
        assert all(len(row) == 1 for row in welcome["reply_markup"]["inline_keyboard"])

        await carer.press("yes")
        # The press was answered, and the pressed keyboard taken away.
        await fake.wait_for(lambda: fake.called("answerCallbackQuery"))
        edits = fake.sent(carer.user_id, "editMessageReplyMarkup")
        assert [e.params["message_id"] for e in edits] == [welcome["message_id"]]
        assert "reply_markup" not in fake.messages[(carer.user_id, welcome["message_id"])]

        await carer.send("1055 AB")
        assert "West" in carer.text
        if "same" in carer.keys:
            await carer.press("same")
        await burden_check_all_yes(carer)
        assert "9 van de 9" in carer.text
        await carer.press_first(is_respite)

    assert "Respijthuis De Wilg (voorbeeld)" in carer.text
    assert "Waar: West" in carer.text
    assert "Zuidoost" not in carer.text
    answered = {c.params["callback_query_id"] for c in fake.called("answerCallbackQuery")}
    assert len(answered) == len(fake.called("answerCallbackQuery"))  # each press answered once
    user = await rows(example_db, "SELECT home_area FROM users WHERE external_id = '4242'")
    assert user == [("west",)]


async def test_find_respite_directly_from_the_menu_in_english(fake, example_db):
    carer = Carer(fake, user_id=5151, language="en")
    async with running(fake, example_db.path):
        await onboard(carer)
        assert "You live in West" in " ".join(fake.texts(5151))
        await carer.press("find")
        await carer.press_first(is_respite)
    assert "Respijthuis De Wilg (voorbeeld)" in carer.text
    assert "Where: West" in carer.text


async def active(db: Database, user_id: int) -> list[tuple]:
    return await rows(
        db, "SELECT active FROM users WHERE channel = ? AND external_id = ?", CHANNEL, str(user_id)
    )


async def test_restart_mid_conversation_continues_and_an_old_button_says_expired(fake, example_db):
    carer = Carer(fake, user_id=6161)
    async with running(fake, example_db.path):
        await carer.send("/start")
        first_welcome = carer.menu()
        await carer.send("hallo")  # not understood: the question again, with new buttons
        await carer.press("yes")
        postcode_question = carer.menu()
        assert "yes" in keys_of(first_welcome)  # the first welcome still shows its buttons

    # A new process: a new Application and engine on the same database file.
    async with running(fake, example_db.path):
        await carer.press("no", message=first_welcome)
        assert "Dat menu is verlopen" in carer.text
        assert carer.keys == keys_of(postcode_question)  # the question the carer was at
        await carer.send("1055 AB")  # typed text goes on at the same step
        assert "Je woont in West" in carer.text
        after_postcode = carer.menu()

    async with running(fake, example_db.path):
        await carer.press(keys_of(after_postcode)[0], message=after_postcode)  # from before
        assert "verlopen" not in carer.text
    user = await rows(example_db, "SELECT home_area FROM users WHERE external_id = '6161'")
    assert user == [("west",)]  # "no" from the expired menu did not undo the consent


async def test_a_user_who_blocked_the_bot_is_marked_inactive_and_active_again(fake, example_db):
    carer = Carer(fake, user_id=7171)
    async with running(fake, example_db.path):
        await onboard(carer)
        assert await active(example_db, 7171) == [(1,)]

        fake.blocked.add(7171)  # blocked, and no my_chat_member update seen: the send says 403
        fake.send_text(7171, "/menu")
        await eventually(lambda: _is(active(example_db, 7171), [(0,)]))
        refused = [c for c in fake.called("sendMessage") if c.chat_id == 7171 and c.status == 403]
        assert len(refused) == 1  # the rest of that turn was not tried

        fake.blocked.discard(7171)  # unblocked, and writes again
        await carer.send("/menu")
        assert await active(example_db, 7171) == [(1,)]

        fake.member_status(7171, "kicked")  # Telegram tells us about a block
        await eventually(lambda: _is(active(example_db, 7171), [(0,)]))
        fake.member_status(7171, "member", old="kicked")
        await eventually(lambda: _is(active(example_db, 7171), [(1,)]))

        fake.member_status(7272, "kicked")  # no consent, no row: nothing is stored
        stranger = Carer(fake, user_id=7272)
        await stranger.send("/start")
    assert await active(example_db, 7272) == []


async def _is(value, expected) -> bool:
    return await value == expected


async def test_a_429_is_retried_after_retry_after_and_the_message_arrives_once(fake, example_db):
    carer = Carer(fake, user_id=8181)
    async with running(fake, example_db.path):
        fake.fail(8181, 429, times=1, retry_after=1)
        await carer.send("/start")
    refused = [c for c in fake.calls if c.chat_id == 8181 and c.status == 429]
    delivered = fake.sent(8181, "sendMessage")
    assert len(refused) == 1
    assert len(delivered) == 1 and "Ik ben Mantelbot" in delivered[0].result["text"]
    assert delivered[0].at - refused[0].at >= 1.0  # it waited retry_after


async def test_polling_recovers_from_network_errors_without_losing_or_repeating(fake, example_db):
    carer = Carer(fake, user_id=9191)
    async with running(fake, example_db.path):
        await carer.send("/start")
        fake.fail_get_updates(2)
        await fake.wait_for(lambda: any(c.status == 502 for c in fake.calls))
        await carer.send("/stop", until=lambda messages: bool(messages))  # sent while it fails
    assert sum(c.status == 502 for c in fake.calls) == 2
    texts = fake.texts(9191)
    assert len(texts) == 2
    assert "Ik ben Mantelbot" in texts[0] and "we stoppen hier" in texts[1].lower()


async def test_stickers_photos_and_other_non_text_get_a_text_only_answer(fake, example_db):
    carer = Carer(fake, user_id=1313)
    async with running(fake, example_db.path):
        await carer.send("/start")
        menu = carer.keys
        for kind in ("sticker", "photo", "voice", "location", "contact", "document"):
            await carer.send_kind(kind)
            assert "Ik kan alleen tekst en knoppen lezen" in carer.text, kind
            assert carer.keys == [*menu, "crisis"]  # the current choices, and help right now


async def test_added_to_a_group_the_bot_says_once_it_works_in_private_and_leaves(fake, example_db):
    async with running(fake, example_db.path):
        fake.added_to_group(1414, -100777)
        fake.send_group_text(1414, -100777, "/start@mantelbot_test")  # in the same batch
        await fake.wait_for(lambda: -100777 in fake.left)
        # A group it was in before it learnt to leave: the first message makes it go.
        fake.send_group_text(1515, -100888, "Hallo allemaal")
        await fake.wait_for(lambda: -100888 in fake.left)
        carer = Carer(fake, user_id=1414)
        await carer.send("/start")  # in private, the conversation starts from the beginning
    for group in (-100777, -100888):
        texts = fake.texts(group)
        assert len(texts) == 1 and "privégesprek" in texts[0]
    assert "Ik ben Mantelbot" in carer.text


async def test_the_commands_menu_is_set_in_dutch_and_english(fake, example_db):
    async with running(fake, example_db.path):
        pass
    menus = {
        c.params.get("language_code", c.params.get("scope", {}).get("type")): {
            command["command"]: command["description"] for command in c.params["commands"]
        }
        for c in fake.called("setMyCommands")
        if c.ok
    }
    assert set(menus) == {"nl", "en", "default"}
    assert {"start", "menu", "hulp", "stop"} <= set(menus["nl"])
    assert {"start", "menu", "help", "stop"} <= set(menus["en"])
    assert menus["nl"]["start"] != menus["en"]["start"]  # translated
    assert menus["default"] == menus["nl"]  # MANTELBOT_LOCALE is nl


async def test_each_users_messages_are_answered_in_order_while_users_run_concurrently(
    fake, example_db
):
    users = range(2001, 2009)
    async with running(fake, example_db.path):
        for text in ("/start", "/stop", "/menu"):  # all queued before the bot fetches them
            for user in users:
                fake.send_text(user, text)
        await fake.wait_for(lambda: all(len(fake.texts(u)) == 3 for u in users))
    for user in users:
        welcome, paused, menu = fake.texts(user)
        assert "Ik ben Mantelbot" in welcome, user
        assert "we stoppen hier" in paused.lower(), user
        assert "Wat wil je doen?" in menu, user


RESOURCES_CSV = """id,name,category,areas,description_nl,first_step_nl
vb-zorg-en-welzijn,Zorg & Welzijn <West>,respite,west,Bel ons: a < b & c > d.,Bel <nu>.
vb-lang-een,Lange beschrijving een,respite,west,{long},{long}
vb-lang-twee,Lange beschrijving twee,respite,west,{long},{long}
"""


async def test_html_is_escaped_and_long_texts_are_split_below_4096(fake, example_db):
    from store.csv_files import import_resources

    long = " ".join(["Een lange zin over logeeropvang & rust."] * 48)  # under 2,000 characters
    data = RESOURCES_CSV.format(long=long).encode()
    await import_resources(example_db, data, lambda s: s, "test")
    carer = Carer(fake, user_id=1515)
    async with running(fake, example_db.path):
        await onboard(carer)
        await carer.press("find")
        await carer.press_first(is_respite)
        while "Zorg & Welzijn" not in carer.text and "more" in carer.keys:
            await carer.press("more")
    # The fake server refuses HTML that does not parse and texts over 4,096: all arrived.
    assert "Zorg & Welzijn <West>" in carer.text
    assert "a < b & c > d" in carer.text
    calls = [c for c in fake.sent(1515, "sendMessage")]
    assert any("Zorg &amp; Welzijn &lt;West&gt;" in c.params["text"] for c in calls)
    long_turns = [c for c in calls if "Lange beschrijving" in c.result["text"]]
    assert long_turns and all(len(c.result["text"]) <= 4096 for c in calls)
    assert "reply_markup" in carer.last[-1]
    assert all("reply_markup" not in m for m in carer.last[:-1])


async def test_my_data_arrives_as_a_json_document(fake, example_db):
    import json

    carer = Carer(fake, user_id=1616)
    async with running(fake, example_db.path):
        await onboard(carer)
        await carer.send("/mijngegevens")
    documents = fake.sent(1616, "sendDocument")
    assert len(documents) == 1
    name, content = documents[0].files["document"]
    assert name.endswith(".json")
    assert "tables" in json.loads(content)
    assert documents[0].result.get("reply_markup")  # the choices sit under the file


async def test_files_are_fetched_from_the_file_url_of_the_api_server(fake, example_db):
    fake.add_file("f-1", "documents/brief.txt", b"hallo")
    async with running(fake, example_db.path) as bot:
        file = await bot.app.bot.get_file("f-1")
        assert bytes(await file.download_as_bytearray()) == b"hallo"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_mode_answers_only_requests_with_the_secret_token_and_skips_unreadable(
    fake, example_db
):
    port = free_port()
    webhook = WebhookSettings("https://bot.example.org/telegram-hook", "127.0.0.1", port, "s3cr3t")
    db = await Database.open(example_db.path)
    config = Config(Path(example_db.path), fake.token, fake.url, TZ, "nl")
    bot = TelegramBot(config, make_engine(db, config))
    stop = asyncio.Event()
    task = asyncio.create_task(bot.serve(stop, webhook))
    try:
        await fake.wait_for(lambda: fake.webhook or task.done())
        assert fake.webhook["url"] == "https://bot.example.org/telegram-hook"
        assert fake.webhook["secret_token"] == "s3cr3t"
        url = f"http://127.0.0.1:{port}/telegram-hook"

        def update(text: str, update_id: int = 1) -> dict:
            return {"update_id": update_id, "message": fake.user_message(3131, text=text)}

        unreadable = update("Geheime vraag over mijn vader", 2)
        unreadable["message"]["poll"] = {"id": "p", "question": "Geheime vraag over mijn vader"}
        secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cr3t"}
        async with httpx.AsyncClient() as client:
            missing = await client.post(url, json=update("/start"))
            wrong = await client.post(
                url, json=update("/start"), headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
            )
            skipped = await client.post(url, json=unreadable, headers=secret)
            right = await client.post(url, json=update("/start", 3), headers=secret)
        assert (missing.status_code, wrong.status_code) == (403, 403)
        assert (skipped.status_code, right.status_code) == (200, 200)  # Telegram moves on
        texts = await fake.wait_for(lambda: fake.texts(3131))
        assert bot.bot.skipped_updates == 1
    finally:
        stop.set()
        await task
        await db.close()
    assert len(texts) == 1 and "Ik ben Mantelbot" in texts[0]
    assert not fake.called("getUpdates")  # no polling in webhook mode
    WHOLE_RUN_UPDATES.append(unreadable)  # its text must not be in the log either


def test_webhook_settings_come_from_the_environment():
    settings = WebhookSettings.from_env(
        {
            "MANTELBOT_WEBHOOK_URL": "https://bot.example.org/tg",
            "MANTELBOT_WEBHOOK_LISTEN": "0.0.0.0:8443",
            "MANTELBOT_WEBHOOK_SECRET": "abc_DEF-123",
        }
    )
    assert (settings.host, settings.port, settings.path, settings.secret) == (
        "0.0.0.0",
        8443,
        "tg",
        "abc_DEF-123",
    )
    generated = WebhookSettings.from_env({"MANTELBOT_WEBHOOK_URL": "https://bot.example.org/"})
    assert (generated.host, generated.port) == ("127.0.0.1", 8080)
    assert len(generated.secret) >= 32  # a fresh secret for this run when none is set
    for env, variable in (
        ({"MANTELBOT_WEBHOOK_URL": "bot.example.org/tg"}, "MANTELBOT_WEBHOOK_URL"),
        ({"MANTELBOT_WEBHOOK_LISTEN": "8080"}, "MANTELBOT_WEBHOOK_LISTEN"),
        ({"MANTELBOT_WEBHOOK_SECRET": "no spaces"}, "MANTELBOT_WEBHOOK_SECRET"),
    ):
        with pytest.raises(ValueError, match=variable):
            WebhookSettings.from_env({"MANTELBOT_WEBHOOK_URL": "https://b.example.org/x"} | env)


async def test_logs_name_users_by_hash_and_never_hold_texts_or_the_token(fake, example_db, caplog):
    caplog.set_level(logging.INFO)
    carer = Carer(fake, user_id=1717)
    async with running(fake, example_db.path) as bot:
        await onboard(carer, postcode="1055 AB")
        ref = bot.channel.user_ref(1717)
    handled = [r.getMessage() for r in caplog.records if r.getMessage().startswith("handled")]
    assert len(handled) >= 3  # one line per update
    assert all(f"user={ref}" in line and "ms=" in line for line in handled)
    assert any("step=onboarding." in line for line in handled)
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert "1717" not in everything and "1055" not in everything
    assert fake.token not in everything


async def test_mantelbot_run_is_the_telegram_bot(fake, example_db, tmp_path):
    """The real process, as deployed: environment in, SIGTERM to stop."""
    env = env_without_our_settings(
        MANTELBOT_DB=example_db.path, TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_URL=fake.url
    )
    log_file = tmp_path / "stderr.log"
    with log_file.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path, stderr=stderr
        )
    try:
        await fake.wait_for(lambda: fake.polls > 0, within=30)
        carer = Carer(fake, user_id=1818)
        await onboard(carer)
        await carer.press("find")
        await carer.press_first(is_respite)
        assert "Respijthuis De Wilg (voorbeeld)" in carer.text
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
    logged = log_file.read_text()
    assert code == 0, logged
    assert "handled channel=telegram user=" in logged
    assert fake.token not in logged and fake.token.split(":")[1] not in logged
    assert "1055" not in logged and "1818" not in logged
    assert await rows(example_db, "SELECT home_area FROM users WHERE external_id = '1818'") == [
        ("west",)
    ]


def test_webhook_mode_without_a_url_names_the_variable(tmp_path):
    env = env_without_our_settings(
        MANTELBOT_DB=str(tmp_path / "x.sqlite3"), TELEGRAM_BOT_TOKEN="1:x"
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--webhook"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "MANTELBOT_WEBHOOK_URL" in done.stderr and len(done.stderr.splitlines()) == 1


async def test_a_network_error_names_neither_the_url_nor_the_token():
    from telegram.error import NetworkError

    from bot.telegram_http import AiohttpRequest

    port = free_port()  # nothing listens there
    request = AiohttpRequest(connect_timeout=2)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as raised:
            await request.post(f"http://127.0.0.1:{port}/bot123:SECRET-token/getMe")
    finally:
        await request.shutdown()
    assert "SECRET" not in str(raised.value) and str(port) not in str(raised.value)


def test_pacing_comes_from_the_environment():
    from bot.telegram import rate_from_env

    assert rate_from_env({}) == 25
    assert rate_from_env({"MANTELBOT_TELEGRAM_RATE": "0"}) == 0
    with pytest.raises(ValueError, match="MANTELBOT_TELEGRAM_RATE"):
        rate_from_env({"MANTELBOT_TELEGRAM_RATE": "fast"})


async def test_an_unreadable_update_is_skipped_and_the_others_are_answered(fake, example_db):
    first, second = Carer(fake, user_id=2323), Carer(fake, user_id=2424)
    async with running(fake, example_db.path) as bot:
        await first.send("/start")
        fake.send_text(first.user_id, "/stop")
        bad_member = fake.unreadable_member_change(first.user_id)
        bad_poll = fake.unreadable_poll(second.user_id, "Geheime vraag over mijn moeder")
        fake.send_text(second.user_id, "/start")
        await fake.wait_for(lambda: len(fake.texts(first.user_id)) == 2)
        await fake.wait_for(lambda: fake.texts(second.user_id))
        await first.send("/menu")  # the bot goes on answering
        skipped = bot.bot.skipped_updates
    assert skipped == 2
    assert fake.confirmed >= max(bad_member, bad_poll)  # moved past them: never fetched again
    assert "we stoppen hier" in fake.texts(first.user_id)[1].lower()
    assert "Ik ben Mantelbot" in fake.texts(second.user_id)[0]
    assert "Wat wil je doen?" in first.text
    assert len(fake.texts(second.user_id)) == 1  # the poll itself got no answer
    skips = [line for line in WHOLE_RUN_LOG if "skipped an update" in line]
    assert any(f"update_id={bad_poll} kinds=message error=TypeError" in s for s in skips), skips
    assert not [line for line in WHOLE_RUN_LOG if "not* processed" in line]


async def test_at_5_messages_a_second_100_carers_each_get_exactly_one_welcome(fake, example_db):
    fake.accept_per_second = 5  # more get 429 "retry after N", as Telegram does
    users = range(30001, 30101)
    async with running(fake, example_db.path) as bot:
        for user in users:
            fake.send_text(user, "/start")
        await fake.wait_for(lambda: all(fake.texts(u) for u in users), within=120)
        refusals = bot.pacer.refusals
    refused = [c for c in fake.calls if c.status == 429]
    assert refused and refusals == len(refused)  # the server did push back
    for user in users:
        texts = fake.texts(user)
        assert len(texts) == 1 and "Ik ben Mantelbot" in texts[0], user


async def test_a_typed_answer_takes_the_buttons_off_the_question(fake, example_db):
    carer = Carer(fake, user_id=2525)
    async with running(fake, example_db.path):
        await carer.send("/start")
        welcome = carer.menu()
        await carer.send("hallo")  # typed under the welcome's buttons
        again = carer.menu()
        await carer.send("/menu")
    for message in (welcome, again):
        assert "reply_markup" not in fake.messages[(2525, message["message_id"])]
    assert "reply_markup" in fake.messages[(2525, carer.menu()["message_id"])]  # the newest


async def test_an_edited_postcode_is_a_new_answer_and_other_edits_get_no_reply(fake, example_db):
    carer = Carer(fake, user_id=2626)
    async with running(fake, example_db.path):
        await carer.send("/start")
        await carer.press("yes")
        await carer.send("1O55 AB", until=bool)  # a letter O: not a postcode
        assert "geen postcode" in carer.text
        typo_message = fake.pushed[-1]["message"]["message_id"]
        await carer._turn(lambda: fake.edit_text(2626, typo_message, "1055 AB"), has_keyboard)
        assert "Je woont in West" in carer.text
        if "same" in carer.keys:
            await carer.press("same")
        before = len(fake.texts(2626))
        fake.edit_text(2626, typo_message, "1102 AB")  # now at the menu: means nothing
        await carer.send("/menu")
    assert len(fake.texts(2626)) == before + 1  # only the menu was answered
    user = await rows(example_db, "SELECT home_area FROM users WHERE external_id = '2626'")
    assert user == [("west",)]


async def test_an_update_fetched_twice_is_answered_once(fake, example_db):
    """After a crash before the offset was confirmed, Telegram sends an update again."""
    carer = Carer(fake, user_id=2727)
    async with running(fake, example_db.path):
        await onboard(carer)
        await carer.press("find")
        pressed = fake.pushed[-1]
        before = len(fake.texts(2727))
        fake.push_again(pressed)  # the same update_id, the same press
        await carer.send("/menu")
    texts = fake.texts(2727)
    assert len(texts) == before + 1 and "Wat wil je doen?" in texts[-1]
    assert not any("verlopen" in text for text in texts)


async def test_a_refused_token_exits_with_code_2_and_no_noise(fake, tmp_path):
    env = env_without_our_settings(
        MANTELBOT_DB=str(tmp_path / "x.sqlite3"),
        TELEGRAM_BOT_TOKEN="123456:not-the-right-token-at-all",
        TELEGRAM_API_URL=fake.url,
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path, stderr=subprocess.PIPE
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    logged = stderr.decode()
    assert process.returncode == 2, logged
    assert "refused the token" in logged
    assert "Unclosed" not in logged and "not-the-right-token-at-all" not in logged


@asynccontextmanager
async def bot_process(fake: FakeBotAPI, db_path: str, log_file: Path) -> AsyncIterator:
    """`mantelbot run` as deployed, in its own process."""
    env = env_without_our_settings(
        MANTELBOT_DB=db_path, TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_URL=fake.url
    )
    polls = fake.polls
    with log_file.open("ab") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=log_file.parent, stderr=stderr
        )
    try:
        await fake.wait_for(lambda: fake.polls > polls or process.returncode is not None, 30)
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def test_killed_between_confirming_an_update_and_replying_the_carer_sees_the_question(
    fake, example_db, tmp_path
):
    """20 times: SIGKILL while the reply waits at the server; the next message shows the
    question the carer is at, whatever they type."""
    log_file = tmp_path / "bot.log"
    carer = Carer(fake, user_id=2828)
    async with bot_process(fake, example_db.path, log_file):
        await onboard(carer)
    held_question = ""
    for trial in range(20):
        async with bot_process(fake, example_db.path, log_file) as process:
            if trial:
                await carer.send("hallo")  # after the kill: the question again
                assert "misschien niet aangekomen" in carer.text, (trial, carer.text)
                assert held_question in carer.text, (trial, held_question, carer.text)
            # A walk through the menu, the kinds of help and the results, and around again.
            walk = [k for k in carer.keys if k in ("find", "cats") or k.startswith("cat:")]
            fake.hold(2828)
            if walk and trial % 5 != 4:
                fake.press(2828, carer.menu(), walk[trial % len(walk)])
            else:
                fake.send_text(2828, "/menu")
            update_id = fake.pushed[-1]["update_id"]
            await fake.wait_for(lambda: fake.holding and fake.holding[-1].chat_id == 2828)
            await fake.wait_for(lambda u=update_id: fake.confirmed >= u)
            process.kill()  # SIGKILL: no cleanup at all
            await process.wait()
            held = fake.holding.pop()
            fake.release(2828)
            # What the carer would have seen last; the question is its last paragraph.
            held_question = visible_text(held.params["text"]).split("\n\n")[-1]
    async with bot_process(fake, example_db.path, log_file):
        await carer.send("hallo")
    assert "misschien niet aangekomen" in carer.text and held_question in carer.text
    logged = log_file.read_text()
    assert "2828" not in logged and "hallo" not in logged


def test_zz_the_log_of_the_whole_run_holds_no_message_text_and_no_user_id():
    """Runs last: every line any logger wrote during this module, against what users sent."""
    import re

    log = "\n".join(WHOLE_RUN_LOG)
    texts, ids = set(), set()
    for update in WHOLE_RUN_UPDATES:
        for payload in update.values():
            if not isinstance(payload, dict):
                continue
            message = payload.get("message", payload)
            for holder in (payload, message, message.get("poll") or {}):
                for key in ("text", "question"):  # what people typed (not button keys)
                    if isinstance(holder.get(key), str):
                        texts.add(holder[key])
            ids.add(str(payload["from"]["id"]))
    assert texts and ids
    leaked = [t for t in texts if len(t) >= 5 and not t.startswith("/") and t in log]
    assert not leaked
    # A user id as a number of its own: not a line number of a traceback, not part of another
    # number (a port, a duration in ms such as 1313.5).
    leaked_ids = [i for i in ids if re.search(rf"(?<!line )(?<![\d.]){i}(?!\d|\.\d)", log)]
    assert not leaked_ids
