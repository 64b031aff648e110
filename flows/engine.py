"""The transport-free conversation engine.

A channel turns what a user sent into an `Incoming`, calls `Engine.handle`, and renders the
`Reply` list it gets back. A flow step is a pair of plain async functions: `ask(ctx)` gives the
question shown when the step is entered, and `answer(ctx, msg)` handles what the user sent and
returns a `Turn`: replies, and the next step (whose question follows).

The engine loads the user's state, runs global commands or the step, and saves the new state in
the same transaction as the step's own writes. Users who have not (yet) consented are kept in
memory only: nothing about them reaches the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from store import state as state_store
from store import users
from store.db import Database, DatabaseBusy, StorageError, Tx
from store.state import State
from store.users import User

log = logging.getLogger(__name__)

MAX_KEY_BYTES = 64  # Telegram's limit for callback_data
MAX_HISTORY = 8  # how many steps "back" can go
# How long a conversation (its state, drafts, and the memory of a user without consent) is kept
# without activity; the channel's configuration may choose another span.
KEEP_STATE = timedelta(days=30)
TIDY_EVERY = 3600.0  # seconds between two sweeps of expired conversations in a running bot


def N_(message: str) -> str:
    """Marks a message for the catalogues; it is translated later, with ctx._ ."""
    return message


@dataclass(frozen=True)
class Choice:
    key: str
    label: str

    def __post_init__(self) -> None:
        if not self.key or len(self.key.encode()) > MAX_KEY_BYTES:
            raise ValueError(f"choice key must be 1-{MAX_KEY_BYTES} bytes: {self.key!r}")


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    mime_type: str = "application/json"


@dataclass(frozen=True)
class Reply:
    text: str
    choices: tuple[Choice, ...] = ()
    document: Document | None = None


@dataclass(frozen=True)
class Incoming:
    """One message from a user: free text, the key of a choice they picked, or a file."""

    channel: str
    external_id: str
    text: str | None = None
    choice: str | None = None
    language_hint: str | None = None
    unsupported: str | None = None  # a kind we cannot read: "photo", "sticker", …
    user_ref: str | None = None  # a pseudonym for logs (e.g. a keyed hash), never the raw id
    # Set by channels that may see an update twice and may lose a reply in a crash (Telegram):
    update_id: int | None = None  # rising per channel; a repeat is not answered twice
    confirms_delivery: bool = False  # the channel calls Engine.delivered once the replies arrived
    edited: bool = False  # the user changed a message they sent earlier
    document: Document | None = None  # a file the user sent (e.g. a CSV), already downloaded
    # The app tells no language (Signal): a new user is asked for one before the welcome.
    ask_language: bool = False
    # The channel shows choices as numbered lines, not buttons (Signal, the terminal).
    numbered: bool = False

    @property
    def command(self) -> str | None:
        """`/start@SomeBot payload` → `/start`."""
        text = (self.text or "").strip()
        if not text.startswith("/"):
            return None
        return text.split()[0].split("@")[0].lower()


class Translator(Protocol):
    lang: str

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...

    def format_date(self, value: date) -> str: ...  # a datetime is a date too

    def format_datetime(self, value: datetime) -> str: ...

    def format_number(self, value: float) -> str: ...


@dataclass
class Session:
    """What the engine keeps in memory for a user without consent."""

    state: State | None = None
    language: str | None = None
    home_area: str | None = None
    care_area: str | None = None
    profile: dict[str, Any] = field(default_factory=dict)  # answers kept in memory only
    seen: datetime | None = None  # the last message; an idle session is forgotten


@dataclass
class Context:
    """What a step may use: the open transaction, the translator, the clock and the user."""

    tx: Tx
    t: Translator
    translators: Callable[[str], Translator]
    now: datetime
    channel: str
    external_id: str
    user: User | None
    session: Session
    data: dict[str, Any] = field(default_factory=dict)
    step: str | None = None
    languages: tuple[str, ...] = ("nl", "en")
    default_language: str = "nl"  # for someone else's message when their language is unknown
    ask_language: bool = False  # the channel tells no language (see Incoming.ask_language)
    # Set by consent and erasure: the engine makes sure they reach the disk (synchronous=FULL),
    # and after an erasure no deleted text is left in the WAL.
    wrote_consent: bool = False
    erased: bool = False
    # What a step worked out that the next step's question needs in the same turn (a door's
    # search: opened by one step, shown by the next), so it is not worked out twice.
    memo: dict[Any, Any] = field(default_factory=dict)

    def _(self, message: str) -> str:
        return self.t.gettext(message)

    @property
    def lang(self) -> str:
        return self.t.lang

    @property
    def language_unknown(self) -> bool:
        """The channel gave no language and the user has not chosen one yet."""
        chosen = self.user.language if self.user else self.session.language
        return self.ask_language and not chosen

    @property
    def consented(self) -> bool:
        return self.user is not None

    @property
    def home_area(self) -> str | None:
        return self.user.home_area if self.user else self.session.home_area

    @property
    def care_area(self) -> str | None:
        """Where the naaste lives (zorgpad); None when not given."""
        return self.user.care_area if self.user else self.session.care_area

    async def set_home_area(self, code: str | None) -> None:
        await self._set_area("home_area", code)

    async def set_care_area(self, code: str | None) -> None:
        await self._set_area("care_area", code)

    async def _set_area(self, column: str, code: str | None) -> None:
        if self.user:
            await users.update(self.tx, self.user.id, **{column: code})
            self.user = await users.get(self.tx, self.channel, self.external_id)
        else:
            setattr(self.session, column, code)

    async def set_language(self, lang: str) -> None:
        if lang not in self.languages:
            return
        if self.user:
            await users.update(self.tx, self.user.id, language=lang)
            self.user = await users.get(self.tx, self.channel, self.external_id)
        else:
            self.session.language = lang
        self.t = self.translators(lang)

    async def give_consent(self) -> None:
        """Create the user row; what the session held in memory moves into it."""
        if self.user:
            return
        if self.session.profile.get("age_band") == "under_16":
            return  # under 16: parental consent would be needed, so nothing is ever stored
        self.wrote_consent = True
        user = await users.create(self.tx, self.channel, self.external_id, self.lang, self.now)
        profile = {k: v for k, v in self.session.profile.items() if k in users.PROFILE_FIELDS}
        await users.update(
            self.tx,
            user.id,
            home_area=self.session.home_area,
            care_area=self.session.care_area,
            **profile,
        )
        self.user = await users.get(self.tx, self.channel, self.external_id)


@dataclass
class Turn:
    """The outcome of a step: replies, and where the conversation goes next."""

    replies: list[Reply] = field(default_factory=list)
    next: str | None = None  # the step to enter (its question is appended); None: stay
    data: dict[str, Any] | None = None  # step data to keep; None: {} on entering, unchanged staying
    understood: bool = True
    back: bool = False  # going back: the step left is taken off the history
    # False: the step left is not put on the history, so "back" skips it and its data (e.g. a
    # running score that would show the separate answers) is not kept there.
    remember: bool = True


def goto(step: str, *replies: Reply, data: dict[str, Any] | None = None) -> Turn:
    return Turn(list(replies), next=step, data=data)


def stay(*replies: Reply, data: dict[str, Any] | None = None) -> Turn:
    return Turn(list(replies), data=data)


def not_understood() -> Turn:
    return Turn(understood=False)


AskFn = Callable[[Context], Awaitable[Reply | list[Reply]]]
AnswerFn = Callable[[Context, Incoming], Awaitable[Turn]]


@dataclass(frozen=True)
class Step:
    name: str
    ask: AskFn
    answer: AnswerFn
    back: bool = True  # offer "back" (not where it leads nowhere useful, e.g. after /stop)
    # Steps a choice of this step leads to already: "back" to them is not offered as well.
    offered_elsewhere: tuple[str, ...] = ()
    edits: bool = False  # an edited message is a new answer here (a corrected postcode)


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: str  # an N_() msgid, translated when shown
    step: str
    order: int


STEPS: dict[str, Step] = {}
DOCUMENT_STEPS: set[str] = set()  # steps that read a file; elsewhere a file is not understood
# Steps whose answer may give or withdraw consent or erase: they run in a durable transaction.
DURABLE_STEPS: set[str] = set()
MAIN_MENU: list[MenuEntry] = []  # flows add their doors with menu_entry()
COMMANDS: dict[str, AnswerFn] = {}  # e.g. "/menu": works from any step
GLOBAL_CHOICES: dict[str, AnswerFn] = {}  # choice keys that work from any step, e.g. "menu"
# Choice keys `prefix:…` that work from any step: buttons on messages the bot sent on its own
# (e.g. "hc:r:12", answer handover 12), which arrive whatever step the user is at.
GLOBAL_PREFIXES: dict[str, AnswerFn] = {}
# What may still take free text that the user's step did not understand (e.g. a reply typed under
# an adviser's answer that arrived while the carer was at the main menu): the first that gives a
# Turn answers; None lets the next try, and after the last one the step asks again.
TextFallback = Callable[["Context", "Incoming"], Awaitable["Turn | None"]]
TEXT_FALLBACKS: list[TextFallback] = []
BACK_WORDS = ("terug", "back", "vorige")
# A typed yes or no where the step offers the choices "yes" and "no" ("ja" under "Vind je het goed
# dat ik dit bewaar?"), or a yes where it offers "start": people answer a question in words as
# often as with the button.
YES_WORDS = frozenset(
    ["ja", "jazeker", "jawel", "ja hoor", "ja graag", "is goed", "dat is goed", "prima", "oké"]
    + ["oke", "ok", "okay", "yes", "yep", "yeah", "yes please", "sure", "start", "beginnen"]
)
NO_WORDS = frozenset(["nee", "neen", "no", "nope", "nee hoor", "liever niet", "nee dank je"])
# Step data keys that "back" carries from the step left into the step it returns to, instead of
# restoring their older value (e.g. what was already counted, so it is not counted twice).
KEPT_ON_BACK: set[str] = set()
FIRST_STEP = "onboarding.welcome"
LANGUAGE_STEP = "onboarding.language"  # before FIRST_STEP when the language is unknown
HOME_STEP = "menu.main"


def step(
    name: str,
    ask: AskFn,
    *,
    back: bool = True,
    offered_elsewhere: tuple[str, ...] = (),
    edits: bool = False,
    documents: bool = False,
    durable: bool = False,
) -> Callable[[AnswerFn], AnswerFn]:
    """Register `answer` as the step `name`, with `ask` as its question. `documents`: the step
    reads files the user sends (`msg.document`). `durable`: its answer may give consent or erase
    (it then runs with synchronous=FULL)."""

    def register(answer: AnswerFn) -> AnswerFn:
        STEPS[name] = Step(name, ask, answer, back, offered_elsewhere, edits)
        if documents:
            DOCUMENT_STEPS.add(name)
        if durable:
            DURABLE_STEPS.add(name)
        return answer

    return register


def menu_entry(key: str, label: str, step_name: str, order: int) -> None:
    """Put a door to `step_name` in the main menu; lower `order` comes first."""
    MAIN_MENU.append(MenuEntry(key, label, step_name, order))
    MAIN_MENU.sort(key=lambda entry: entry.order)


def command(*names: str) -> Callable[[AnswerFn], AnswerFn]:
    def register(handler: AnswerFn) -> AnswerFn:
        for name in names:
            COMMANDS[name] = handler
        return handler

    return register


def global_prefix(prefix: str) -> Callable[[AnswerFn], AnswerFn]:
    """Register `handler` for every choice key that starts with `prefix` (ending in ":")."""

    def register(handler: AnswerFn) -> AnswerFn:
        GLOBAL_PREFIXES[prefix] = handler
        return handler

    return register


def text_fallback(handler: TextFallback) -> TextFallback:
    """Register `handler` for free text a step did not understand (see TEXT_FALLBACKS)."""
    TEXT_FALLBACKS.append(handler)
    return handler


def global_choice(key: str) -> Callable[[AnswerFn], AnswerFn]:
    def register(handler: AnswerFn) -> AnswerFn:
        GLOBAL_CHOICES[key] = handler
        return handler

    return register


@dataclass(frozen=True)
class Glance:
    """What a read-only route knows of the user. It is read without a write transaction, so another
    process's long import never delays it; `readable` is False when even that read failed."""

    db: Database
    t: Translator
    channel: str
    external_id: str
    step: str | None
    readable: bool


@dataclass(frozen=True)
class Interceptor:
    """A route that answers before any state is loaded for writing, and writes nothing (the crisis
    route). `claims` looks at the message only; `answer` gets the glance and gives the replies
    (the message is then never stored), or None to let the message through after all."""

    claims: Callable[[Incoming], bool]
    answer: Callable[[Glance, Incoming], Awaitable[list[Reply] | None]]


GLANCE_WAIT = 1.0  # seconds; after that a read-only route answers without the database
INTERCEPTORS: list[Interceptor] = []


def _as_list(replies: Reply | list[Reply]) -> list[Reply]:
    return [replies] if isinstance(replies, Reply) else list(replies)


def _yes_or_no(text: str | None) -> str | None:
    """ "yes" or "no" when the text says just that ("Ja!", "nee hoor"), else None."""
    said = " ".join((text or "").casefold().strip(" .!?,").split())
    if said in YES_WORDS:
        return "yes"
    if said in NO_WORDS:
        return "no"
    return None


def offered_keys(replies: Sequence[Reply]) -> list[str]:
    return [choice.key for reply in replies for choice in reply.choices]


class Engine:
    """Runs the flows for every channel. One user's messages are handled strictly in order."""

    def __init__(
        self,
        db: Database,
        translator: Callable[[str], Translator],
        *,
        languages: tuple[str, ...] = ("nl", "en"),
        default_language: str = "nl",
        clock: Callable[[], datetime],
        max_sessions: int = 10_000,
        keep_state: timedelta = KEEP_STATE,
    ) -> None:
        self.db = db
        self.translator = translator
        self.languages = languages
        self.default_language = default_language
        self.clock = clock
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self._sessions: OrderedDict[tuple[str, str], Session] = OrderedDict()
        self._max_sessions = max_sessions
        self._undelivered: set[tuple[str, str]] = set()  # stored turns not yet marked delivered
        self.keep_state = keep_state
        # The step each recent user is at, to choose a durable transaction before it begins.
        self._steps: OrderedDict[tuple[str, str], str] = OrderedDict()

    def _lock(self, key: tuple[str, str]) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    def _session(self, key: tuple[str, str], now: datetime | None = None) -> Session:
        """The user's memory-only session (a new one if there is none); `now` marks it used."""
        session = self._sessions.pop(key, None) or Session()
        if now is not None:
            session.seen = now
        self._sessions[key] = session  # most recently used last
        while len(self._sessions) > self._max_sessions:
            self._sessions.popitem(last=False)
        if now is not None:
            self._forget_idle_sessions(now)
        return session

    def _forget_idle_sessions(self, now: datetime) -> int:
        """Sessions are kept in order of use, so the idle ones are at the front."""
        forgotten = 0
        while self._sessions:
            oldest = next(iter(self._sessions.values()))
            if oldest.seen is None or now - oldest.seen <= self.keep_state:
                break
            self._sessions.popitem(last=False)
            forgotten += 1
        return forgotten

    def _remember_step(self, key: tuple[str, str], step_name: str) -> None:
        self._steps.pop(key, None)
        self._steps[key] = step_name
        while len(self._steps) > self._max_sessions:
            self._steps.popitem(last=False)

    def _durable(self, key: tuple[str, str]) -> bool:
        """Whether this message may give consent or erase; unknown (after a restart): yes."""
        current = self._steps.get(key)
        return current is None or current in DURABLE_STEPS

    async def sweep(self) -> tuple[int, int]:
        """Forget conversations idle for longer than `keep_state`: stored conversation states
        (with their drafts) and memory-only sessions. Returns how many of each."""
        now = self.clock()
        in_memory = self._forget_idle_sessions(now)
        async with self.db.read() as tx:  # the write lock only when there is something to do
            due = await state_store.expired(tx, now - self.keep_state)
        if not due:
            return 0, in_memory
        async with self.db.transaction() as tx:
            stored = await state_store.expire(tx, now - self.keep_state)
        return stored, in_memory

    async def tidy(self, stop: asyncio.Event, every: float = TIDY_EVERY) -> None:
        """Sweep now and then every `every` seconds until `stop` is set (in a running bot)."""
        while not stop.is_set():
            try:
                stored, in_memory = await self.sweep()
                if stored or in_memory:
                    log.info("expired conversations: stored=%d memory=%d", stored, in_memory)
            except DatabaseBusy:
                log.warning("database busy: expired conversations are swept next time")
            except Exception:
                log.exception("sweeping expired conversations failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)

    def _language(self, user: User | None, session: Session, hint: str | None) -> str:
        hinted = (hint or "").split("-")[0].lower()
        for candidate in (user.language if user else session.language, hinted):
            if candidate in self.languages:
                return candidate
        return self.default_language

    async def handle(self, msg: Incoming) -> list[Reply]:
        """Every message gets at least one reply; no exception escapes. Not answered: an update
        seen before whose replies arrived, and an edited message where edits mean nothing."""
        key = (msg.channel, msg.external_id)
        started = time.perf_counter()
        async with self._lock(key):
            try:
                replies, step_name = await self._handle(key, msg)
            except DatabaseBusy:
                # Another process (an import) kept the database locked: nothing was changed.
                log.warning("database busy (channel=%s)", msg.channel)
                t = self.translator(self._language(None, self._session(key), msg.language_hint))
                return [
                    Reply(
                        t.gettext("It is very busy right now. Please send your message again."),
                        (Choice("menu", t.gettext("Main menu")),),
                    )
                ]
            except Exception:
                # Never log the message text: it may be health data.
                log.exception("step failed (channel=%s)", msg.channel)
                lang = self._language(None, self._session(key), msg.language_hint)
                t = self.translator(lang)
                return [
                    Reply(
                        t.gettext("Sorry, something went wrong on our side. Please try again."),
                        (Choice("menu", t.gettext("Main menu")),),
                    )
                ]
        log.info(
            "handled channel=%s user=%s flow=%s step=%s ms=%.1f",
            msg.channel,
            msg.user_ref or "-",
            step_name.split(".")[0],
            step_name,
            (time.perf_counter() - started) * 1000,
        )
        return replies

    async def resume(self, channel: str, external_id: str, hint: str | None = None) -> list[Reply]:
        """What to show when a channel (re)connects: the current question, or the welcome."""
        return await self.handle(
            Incoming(channel, external_id, choice="resume", language_hint=hint)
        )

    async def offered(self, channel: str, external_id: str) -> list[str]:
        """The keys of the choices the user was offered last, in the order shown: a channel
        without buttons that lost its own list (a restart) maps a typed number with it."""
        state = await self._current_state((channel, external_id))
        return list(state.offered) if state else []

    async def offered_on_its_own(
        self, channel: str, external_id: str, replies: Sequence[Reply]
    ) -> None:
        """A channel without buttons numbered the choices of a message the bot sent on its own
        (news, a reminder): a typed number picks from those now, also after a restart."""
        keys = offered_keys(replies)
        if not keys:
            return
        async with self.db.transaction() as tx:
            user = await users.get(tx, channel, external_id)
            if user:  # only stored users get such messages
                await state_store.set_offered(tx, user.id, keys, HOME_STEP, self.clock())

    async def delivered(self, channel: str, external_ids: list[str]) -> None:
        """The channel delivered these users' replies: a restart need not show them again."""
        keys = [(channel, e) for e in external_ids if (channel, e) in self._undelivered]
        if not keys:
            return  # nothing stored is waiting (e.g. users without consent live in memory)
        self._undelivered.difference_update(keys)
        async with self.db.transaction() as tx:
            await state_store.mark_delivered(tx, channel, [e for _, e in keys])

    async def _edit_means_nothing(self, key: tuple[str, str]) -> bool:
        """An edited message is an answer only at a step that takes edits (a postcode)."""
        state = await self._current_state(key)
        step = STEPS.get(state.step) if state else None
        return not (step and step.edits)

    async def _current_state(self, key: tuple[str, str]) -> State | None:
        """Where the user is: in memory (without consent) or stored."""
        state = self._session(key).state
        if state is None:
            async with self.db.read() as tx:
                user = await users.get(tx, *key)
                state = await state_store.load(tx, user.id) if user else None
        return state

    async def _handle(self, key: tuple[str, str], msg: Incoming) -> tuple[list[Reply], str]:
        if msg.edited and await self._edit_means_nothing(key):
            return [], "edit-ignored"
        for route in INTERCEPTORS:
            if route.claims(msg):
                replies = await route.answer(await self._glance(key, msg), msg)
                if replies is not None:
                    return replies, "intercepted"

        now = self.clock()
        durable = self._durable(key)
        async with self.db.transaction(durable=durable) as tx:
            user = await users.get(tx, *key)
            session = self._session(key, now)
            if user:  # a state untouched for longer than `keep_state` counts as none
                state = await state_store.load(tx, user.id, now - self.keep_state)
            else:
                state = session.state
            if (
                state
                and state.delivered
                and msg.update_id
                and msg.update_id <= (state.last_update or 0)
            ):
                return [], "repeat"  # fetched again after a crash, and answered before it
            ctx = Context(
                tx=tx,
                t=self.translator(self._language(user, session, msg.language_hint)),
                translators=self.translator,
                now=now,
                channel=msg.channel,
                external_id=msg.external_id,
                user=user,
                session=session,
                data=dict(state.data) if state else {},
                step=state.step if state else None,
                languages=self.languages,
                default_language=self.default_language,
                ask_language=msg.ask_language,
            )
            answered = ctx.step
            turn = await self._dispatch(ctx, state, msg)
            replies, new_state = await self._conclude(ctx, state, turn)
            # Users without consent live in memory: a crash loses their state anyway.
            new_state.delivered = not (msg.confirms_delivery and ctx.user)
            new_state.last_update = msg.update_id or (state.last_update if state else None)
            if ctx.user:
                await state_store.save(tx, ctx.user.id, new_state, ctx.now)
                if msg.confirms_delivery:
                    self._undelivered.add(key)
        # Only after the commit: memory follows what the database holds.
        if ctx.user:
            self._sessions.pop(key, None)
        else:
            session.state = new_state
        self._remember_step(key, new_state.step)
        if ctx.erased or (ctx.wrote_consent and not durable):
            if not durable:
                log.warning("step %s gave consent but is not marked durable", answered)
            # Syncs the commit to disk, and cuts the WAL so erased text is gone from it too.
            if not await self.db.truncate_wal():
                log.warning("the WAL could not be cut: another process was reading")
        return replies, new_state.step

    async def _glance(self, key: tuple[str, str], msg: Incoming) -> Glance:
        """The user's language and step, read without a write transaction. When the database
        cannot be read in time (locked by another process, damaged), the route still answers."""
        session = self._session(key)
        user, step, readable = None, session.state.step if session.state else None, True
        try:
            async with asyncio.timeout(GLANCE_WAIT), self.db.read() as tx:
                user = await users.get(tx, *key)
                if user:
                    state = await state_store.load(tx, user.id)
                    step = state.step if state else None
        except (sqlite3.Error, StorageError, TimeoutError, ValueError):
            log.warning("database not readable for a read-only route (channel=%s)", msg.channel)
            readable = False
        t = self.translator(self._language(user, session, msg.language_hint))
        return Glance(self.db, t, msg.channel, msg.external_id, step, readable)

    async def _dispatch(self, ctx: Context, state: State | None, msg: Incoming) -> Turn:
        _ = ctx._
        if msg.command in COMMANDS:
            return await COMMANDS[msg.command](ctx, msg)
        if msg.choice in GLOBAL_CHOICES:
            return await GLOBAL_CHOICES[msg.choice](ctx, msg)
        prefix = (msg.choice or "").split(":", 1)[0] + ":"
        if msg.choice and prefix in GLOBAL_PREFIXES:
            return await GLOBAL_PREFIXES[prefix](ctx, msg)
        if state is None or state.step not in STEPS:
            # No state: new, or expired (a user who consented goes on at the main menu).
            taken = await self._text_fallback(ctx, msg) if ctx.user else None
            return taken or goto(FIRST_STEP if state is None and not ctx.user else HOME_STEP)
        if not state.delivered and msg.choice not in state.offered:
            # Our last answer may have been lost (a crash before it was sent): what the user
            # wrote cannot be an answer to a question they did not see. Show it again.
            return Turn(
                [Reply(_("My last message may not have reached you. Here it is again."))],
                next=state.step,
                data=state.data,
            )
        if msg.unsupported or (msg.document and state.step not in DOCUMENT_STEPS):
            cannot = (
                _("I can only read text. To choose, type the number in front of it.")
                if msg.numbered
                else _("I can only read text and buttons.")
            )
            return Turn([Reply(cannot)], understood=False)
        if msg.command:
            return Turn(
                [Reply(_("I don't know that command. Try /menu, /help or /stop."))],
                understood=False,
            )
        if msg.choice == "back" or (msg.text or "").strip().casefold() in BACK_WORDS:
            if not state.history:
                return goto(HOME_STEP)
            previous, data = state.history[-1]
            kept = {k: state.data[k] for k in KEPT_ON_BACK if k in state.data}
            return Turn(next=previous, data=data | kept, back=True)
        said = _yes_or_no(msg.text) if msg.choice is None else None
        if said == "yes" and "yes" not in state.offered:
            said = "start"  # "ok" under "Beginnen": the burden check, preparing a conversation
        if said in state.offered:
            msg = replace(msg, choice=said, text=None)
        if msg.choice is not None and msg.choice not in state.offered:
            return Turn(
                [Reply(_("That menu has expired. Here is the current one."))],
                next=state.step,
                data=state.data,
            )
        if msg.choice is None and msg.document is None and not (msg.text or "").strip():
            return not_understood()
        turn = await STEPS[state.step].answer(ctx, msg)
        if not turn.understood and not turn.replies:
            return await self._text_fallback(ctx, msg) or turn
        return turn

    async def _text_fallback(self, ctx: Context, msg: Incoming) -> Turn | None:
        """Free text the step did not understand, offered to TEXT_FALLBACKS in order."""
        if msg.choice is not None or msg.document is not None or not (msg.text or "").strip():
            return None
        for fallback in TEXT_FALLBACKS:
            taken = await fallback(ctx, msg)
            if taken is not None:
                return taken
        return None

    async def _conclude(
        self, ctx: Context, state: State | None, turn: Turn
    ) -> tuple[list[Reply], State]:
        history = list(state.history) if state else []
        if not turn.understood and state is not None and state.step in STEPS:
            asked = _as_list(await STEPS[state.step].ask(ctx))
            replies = self._with_back(
                ctx,
                state.step,
                history,
                turn.replies + self._reprompt(ctx, asked, sorry=not turn.replies),
            )
            return replies, State(state.step, state.data, offered_keys(replies), history)
        if turn.next is None and state is not None:
            data = turn.data if turn.data is not None else ctx.data
            replies = self._with_back(ctx, state.step, history, turn.replies)
            return replies, State(state.step, data, offered_keys(replies), history)
        name = turn.next or (HOME_STEP if state is not None else FIRST_STEP)
        if name == FIRST_STEP and ctx.language_unknown:
            name = LANGUAGE_STEP
        if turn.back:
            history = history[:-1]
        elif name in (HOME_STEP, FIRST_STEP, LANGUAGE_STEP):
            history = []
        elif turn.remember and state is not None and name != state.step and state.step in STEPS:
            history = (history + [(state.step, state.data)])[-MAX_HISTORY:]
        ctx.step, ctx.data = name, dict(turn.data or {})
        asked = _as_list(await STEPS[name].ask(ctx))
        replies = self._with_back(ctx, name, history, turn.replies + asked)
        return replies, State(name, ctx.data, offered_keys(replies), history)

    def _with_back(
        self, ctx: Context, step_name: str, history: list, replies: list[Reply]
    ) -> list[Reply]:
        """Every step but the first and the main menu offers "back"."""
        keys = offered_keys(replies)
        if step_name in (HOME_STEP, FIRST_STEP, LANGUAGE_STEP) or not replies or "back" in keys:
            return replies
        step = STEPS.get(step_name)
        if step and (not step.back or (history and history[-1][0] in step.offered_elsewhere)):
            return replies  # back leads nowhere useful, or where another button goes
        if "resume" in keys:
            return replies  # "back to where I was" is offered (e.g. under the helplines)
        if not history and "menu" in keys:
            return replies  # back would be the main menu, which is offered already
        last = replies[-1]
        back = Choice("back", ctx._("Back"))
        return [*replies[:-1], Reply(last.text, (*last.choices, back), last.document)]

    def _reprompt(self, ctx: Context, asked: list[Reply], *, sorry: bool = True) -> list[Reply]:
        """The whole question again (a carer may not have seen it), with the crisis button.
        `sorry`: say it was not understood (not when the step already said why)."""
        last = asked[-1]
        choices = last.choices
        if "crisis" not in offered_keys(asked):
            choices = (*choices, Choice("crisis", ctx._("I need help right now")))
        text = (
            ctx._("Sorry, I did not understand that.") + "\n\n" + last.text if sorry else last.text
        )
        return [Reply(text, choices)]
