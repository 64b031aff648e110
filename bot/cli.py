"""The `mantelbot` command line (contract in DESIGN.md)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from bot import example_data, private_logs, reports, serve, terminal
from bot.config import LANGUAGES, Config
from bot.i18n import translators
from bot.scheduler import Scheduler
from bot.sender import Sender, SenderSettings
from flows import Engine, office_hours
from flows.engine import N_
from store import areas, coordinators, resources, users
from store import state as state_store
from store.csv_files import (
    ImportRefused,
    export_areas,
    export_resources,
    import_areas,
    import_resources,
)
from store.db import Database, DatabaseBusy, StorageError
from store.state import State

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SHOWN_PROBLEMS = 50  # an import report shows this many problems, then how many more


def build_parser() -> argparse.ArgumentParser:
    # SUPPRESS: a subcommand that is not given --db must not overwrite one given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", default=argparse.SUPPRESS, help="SQLite database file (default: $MANTELBOT_DB)"
    )
    parser = argparse.ArgumentParser(
        prog="mantelbot",
        parents=[common],
        description="Mantelbot, a chat assistant for carers. Without a command: the Telegram bot "
        "when TELEGRAM_BOT_TOKEN is set, else the terminal chat.",
    )
    sub = parser.add_subparsers(dest="command")

    chat = sub.add_parser("chat", parents=[common], help="chat in the terminal")
    chat.add_argument("--user", default="demo", help="who you are in this chat (default: demo)")
    chat.add_argument("--lang", choices=LANGUAGES, help="language to start in")
    chat.add_argument(
        "--now",
        type=_local_time,
        help="pretend the clock shows this local time at the start, e.g. 2027-03-27T18:59 "
        "(it runs on from there): to try reminders without waiting",
    )

    run = sub.add_parser("run", parents=[common], help="the bot on Telegram, Signal or both")
    run.add_argument("--webhook", action="store_true", help="webhook mode instead of polling")
    run.add_argument(
        "--channel",
        action="append",
        choices=serve.CHANNELS,
        help="telegram or signal; repeat for both (default: $MANTELBOT_CHANNELS, else telegram)",
    )

    res = sub.add_parser("resources", parents=[common], help="import, export or list resources")
    res_sub = res.add_subparsers(dest="action", required=True)
    res_import = res_sub.add_parser("import", parents=[common], help="upsert resources from CSV")
    res_import.add_argument("file", type=Path)
    res_export = res_sub.add_parser("export", parents=[common], help="resources as CSV")
    res_export.add_argument("file", type=Path, nargs="?", help="default: standard output")
    res_list = res_sub.add_parser("list", parents=[common], help="a table of resources")
    res_list.add_argument("--category", choices=resources.CATEGORIES)

    ar = sub.add_parser("areas", parents=[common], help="import, export or list areas")
    ar_sub = ar.add_subparsers(dest="action", required=True)
    ar_import = ar_sub.add_parser("import", parents=[common], help="upsert areas from CSV")
    ar_import.add_argument("file", type=Path)
    ar_export = ar_sub.add_parser("export", parents=[common], help="areas as CSV")
    ar_export.add_argument("file", type=Path, nargs="?", help="default: standard output")
    ar_sub.add_parser("list", parents=[common], help="the area tree")

    reports.add_parsers(sub, common)

    co = sub.add_parser("coordinators", parents=[common], help="who may manage what")
    co_sub = co.add_subparsers(dest="action", required=True)
    co_add = co_sub.add_parser(
        "add", parents=[common], help="make an account a coordinator (or change one)"
    )
    co_add.add_argument("target", help="CHANNEL:ID, e.g. telegram:123456789 or console:fatima")
    co_add.add_argument("--areas", default="", help="area codes, comma-separated: west,nieuw-west")
    co_add.add_argument("--admin", action="store_true", help="may manage everything")
    co_add.add_argument("--name", help="first name, shown to carers under answers")
    co_add.add_argument("--org", help="organisation, shown to carers under answers")
    co_sub.add_parser("list", parents=[common], help="a table of coordinators")
    co_remove = co_sub.add_parser("remove", parents=[common], help="take the role away")
    co_remove.add_argument("target", help="CHANNEL:ID")
    co_invite = co_sub.add_parser(
        "invite", parents=[common], help="a one-time code (48 hours) for a new coordinator"
    )
    co_invite.add_argument("--areas", required=True, help="area codes, comma-separated")

    db = sub.add_parser("db", parents=[common], help="database maintenance")
    db_sub = db.add_subparsers(dest="action", required=True)
    backup = db_sub.add_parser("backup", parents=[common], help="online backup to PATH")
    backup.add_argument("path", type=Path)
    db_sub.add_parser("check", parents=[common], help="integrity and foreign key check")
    example = db_sub.add_parser(
        "load-example", parents=[common], help="load the Amsterdam example data (not real)"
    )
    example.add_argument(
        "--force", action="store_true", help="also into a database that has areas or resources"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = Config.from_env()
        office_hours.configure(os.environ.get("MANTELBOT_OFFICE_HOURS"))
    except (ValueError, KeyError) as error:  # ZoneInfoNotFoundError is a KeyError
        print(f"mantelbot: configuration: {error}", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "db", None):
        config = dataclasses.replace(config, db_path=Path(args.db))
    level = os.environ.get("MANTELBOT_LOG_LEVEL", "").upper()
    if level not in ("", "DEBUG", "INFO", "WARNING", "ERROR"):
        print(
            "mantelbot: configuration: MANTELBOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR",
            file=sys.stderr,
        )
        return EXIT_USAGE
    logging.basicConfig(
        level=level or (logging.INFO if args.command == "run" else logging.WARNING),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    private_logs.install(config.telegram_token or "")  # no texts, user ids or token in any log
    command = args.command or ("run" if config.telegram_token else "chat")
    if command == "chat" and not args.command:
        args.user, args.lang = "demo", None
    try:
        return asyncio.run(_dispatch(command, args, config))
    except KeyboardInterrupt:
        return EXIT_OK
    except BrokenPipeError:  # `mantelbot resources list | head`: the reader has seen enough
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (Python flushes stdout at exit)
        return EXIT_OK


async def _dispatch(command: str, args: argparse.Namespace, config: Config) -> int:
    channels: tuple[str, ...] = ()
    if command == "run":
        try:
            channels = serve.channels_from(getattr(args, "channel", None))
        except ValueError as error:
            print(f"mantelbot: configuration: {error}", file=sys.stderr)
            return EXIT_USAGE
    if "telegram" in channels and not config.telegram_token:
        print(
            "mantelbot: TELEGRAM_BOT_TOKEN is not set. Set it to the token from @BotFather, "
            "or try the bot in the terminal with: mantelbot chat",
            file=sys.stderr,
        )
        return EXIT_USAGE
    t = translators(config.timezone)(config.locale)
    _ = t.gettext
    if command == "run":
        try:  # every setting is checked before the database is opened or Telegram is called
            webhook = getattr(args, "webhook", False)
            settings = serve.settings_from_env(channels, webhook, config.telegram_token)
        except ValueError as error:
            print(f"mantelbot: configuration: {error}", file=sys.stderr)
            return EXIT_USAGE
    # Backup and check only read: they open the file read-only and never migrate.
    read_only = command == "db" and args.action in ("backup", "check")
    try:
        db = await Database.open(config.db_path, read_only=read_only)
    except StorageError as error:
        return _storage_problem(error, _)
    try:
        if command == "chat":
            return await _chat(db, config, args, _)
        if command == "run":
            return await serve.run(db, config, channels, settings)
        if command == "resources":
            return await _resources(db, args, _, config)
        if command == "areas":
            return await _areas(db, args, _)
        if command == "stats":
            return await reports.stats_command(db, args, _, sys.stdout)
        if command == "audit":
            return await reports.audit_command(db, args, _, sys.stdout)
        if command == "coordinators":
            return await _coordinators(db, config, args, _)
        return await _db(db, args, _)
    except StorageError as error:  # e.g. busy: another process kept the write lock too long
        return _storage_problem(error, _)
    finally:
        await db.close()


STORAGE_PROBLEMS = {
    StorageError.NOT_SQLITE: N_("{path} is not a Mantelbot database (not an SQLite file)."),
    StorageError.FOLDER: N_("{path} is a folder, not a database file."),
    StorageError.MISSING: N_("There is no database at {path}."),
    StorageError.READ_ONLY: N_(
        "The database {path} is read-only: Mantelbot needs to write to it and to its folder."
    ),
    StorageError.NEWER_SCHEMA: N_(
        "The database {path} is from a newer Mantelbot (schema version {detail}). Update Mantelbot."
    ),
    StorageError.CANNOT_OPEN: N_("Cannot open the database {path}: {detail}"),
    StorageError.BUSY: N_(
        "The database {path} is busy (another process is writing to it). Try again in a moment."
    ),
}


def _storage_problem(error: StorageError, _) -> int:
    """One line on standard error, no traceback; exit code 1 when busy, 2 when unusable."""
    message = _(STORAGE_PROBLEMS[error.reason]).format(path=error.path, detail=error.detail)
    print(f"mantelbot: {message}", file=sys.stderr)
    return error.exit_code


def _local_time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date and time like 2027-03-27T18:59: {text}"
        ) from None


def _clock(config: Config, start: datetime | None) -> Callable[[], datetime]:
    """The real clock, or one that starts at `start` (local time) and runs on in real time."""
    if start is None:
        return lambda: datetime.now(config.timezone)
    if start.tzinfo is None:
        start = start.replace(tzinfo=config.timezone)
    began = time.monotonic()
    return lambda: (start + timedelta(seconds=time.monotonic() - began)).astimezone(config.timezone)


async def _chat(db: Database, config: Config, args: argparse.Namespace, _) -> int:
    if await example_data.is_empty(db):
        await example_data.load(db, _)
        print(
            _(
                "The database {path} was empty: loaded the Amsterdam example data (not real)."
            ).format(path=config.db_path),
            file=sys.stderr,
        )
    clock = _clock(config, getattr(args, "now", None))  # `mantelbot` without a command: no --now
    engine = Engine(
        db,
        translators(config.timezone),
        languages=LANGUAGES,
        default_language=args.lang or config.locale,
        clock=clock,
        keep_state=config.keep_state,
    )
    # Conversations idle for longer than MANTELBOT_STATE_DAYS. When another process holds the
    # lock this waits for a later start: an expired state already counts as none.
    with contextlib.suppress(DatabaseBusy):
        await engine.sweep()
    console = terminal.ConsoleChannel(args.user)
    sender = Sender(db, console, SenderSettings(per_chat_interval=0), clock=clock)
    scheduler = Scheduler(
        db, engine.translator, default_language=engine.default_language, clock=clock
    )

    async def queued() -> list:
        """Due timers first (they may queue messages), then what waits for this user."""
        try:
            await scheduler.run_due()
            while await sender.send_due(recipient=args.user):
                pass
        except DatabaseBusy:
            pass  # another process is writing: what waits is shown after the next line
        return console.take()

    await terminal.chat(engine, args.user, hint=args.lang, on_read=queued)
    return EXIT_OK


def _report(error: ImportRefused, _) -> int:
    print(_("Import refused; nothing was changed."), file=sys.stderr)
    for problem in error.problems[:SHOWN_PROBLEMS]:
        print("  " + problem.format(_), file=sys.stderr)
    if error.total > SHOWN_PROBLEMS:
        print("  " + _("and {n} more").format(n=error.total - SHOWN_PROBLEMS), file=sys.stderr)
    return EXIT_FAILED


def _write_out(data: bytes, path: Path | None, _) -> int:
    try:
        if path:
            path.write_bytes(data)
        else:
            sys.stdout.buffer.write(data)
    except OSError as error:
        print(
            _("Cannot write {path}: {error}").format(path=path, error=error.strerror),
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


def _actor() -> str:
    return f"cli:{os.environ.get('USER', 'unknown')}"


async def _resources(db: Database, args: argparse.Namespace, _, config: Config) -> int:
    if args.action == "import":
        try:
            result = await import_resources(db, args.file, _, _actor())
        except ImportRefused as error:
            return _report(error, _)
        print(
            _("Resources: {created} new, {updated} changed, {unchanged} unchanged.").format(
                **vars(result)
            )
        )
        return EXIT_OK
    if args.action == "export":
        return _write_out(await export_resources(db), args.file, _)
    async with db.read() as tx:
        items = await resources.list_all(tx, args.category)
    now = datetime.now(config.timezone)
    for r in items:
        marks = [
            label
            for label, applies in (
                (_("(inactive)"), not r.active),
                (_("(over)"), r.is_over(now)),
                (_("(no contact)"), not r.has_contact),
            )
            if applies
        ]
        verified = r.last_verified or "-"
        print(
            f"{r.id:32} {r.category:18} {','.join(r.areas):20} {verified:10} "
            + " ".join([r.name, *marks])
        )
    print(_("{n} resources").format(n=len(items)))
    return EXIT_OK


async def _areas(db: Database, args: argparse.Namespace, _) -> int:
    if args.action == "import":
        try:
            result = await import_areas(db, args.file, _, _actor())
        except ImportRefused as error:
            return _report(error, _)
        print(
            _("Areas: {created} new, {updated} changed, {unchanged} unchanged.").format(
                **vars(result)
            )
        )
        return EXIT_OK
    if args.action == "export":
        return _write_out(await export_areas(db), args.file, _)
    async with db.read() as tx:
        items = await areas.list_all(tx)
    depth: dict[str, int] = {}
    for area in items:
        depth[area.code] = depth.get(area.parent, -1) + 1
        pcs = areas.format_postcodes(area.postcodes)
        print(f"{'  ' * depth[area.code]}{area.code:20} {area.name:20} {pcs}")
    return EXIT_OK


def _target(value: str, _) -> tuple[str, str] | None:
    channel, sep, external_id = value.partition(":")
    if not sep or not channel or not external_id.strip():
        print(
            _("Give the account as CHANNEL:ID, for example telegram:123456789 or console:fatima."),
            file=sys.stderr,
        )
        return None
    return channel, external_id.strip()


async def _coordinators(db: Database, config: Config, args: argparse.Namespace, _) -> int:
    actor = _actor()
    now = datetime.now(config.timezone)
    if args.action == "list":
        async with db.read() as tx:
            listed = await coordinators.list_all(tx)
        for item in listed:
            me = item.coordinator
            where = _("everything") if me.is_admin else ",".join(me.areas) or "-"
            account = f"{item.channel}:{item.external_id}"
            print(f"{account:28} {me.role:12} {where:24} {me.name} ({me.org})")
        print(_("{n} coordinators").format(n=len(listed)))
        return EXIT_OK
    if args.action == "invite":
        codes = reports.area_list(args.areas)
        async with db.transaction() as tx:
            unknown = await coordinators.unknown_areas(tx, codes)
            if unknown or not codes:
                print(
                    _("Unknown areas: {codes}").format(codes=", ".join(unknown) or "-"),
                    file=sys.stderr,
                )
                return EXIT_FAILED
            code = await coordinators.create_invite(tx, codes, actor=actor, now=now)
        print(
            _("Invite code {code}: send /coordinator {code} to the bot within 48 hours.").format(
                code=code
            )
        )
        return EXIT_OK
    target = _target(args.target, _)
    if target is None:
        return EXIT_USAGE
    if args.action == "remove":
        async with db.transaction() as tx:
            user = await users.get(tx, *target)
            removed = user is not None and await coordinators.remove(tx, user.id, actor=actor)
        if not removed:
            print(_("{account} is not a coordinator.").format(account=args.target), file=sys.stderr)
            return EXIT_FAILED
        print(_("{account} is no longer a coordinator.").format(account=args.target))
        return EXIT_OK
    codes = reports.area_list(args.areas)
    async with db.transaction() as tx:
        unknown = await coordinators.unknown_areas(tx, codes)
        if unknown:
            print(_("Unknown areas: {codes}").format(codes=", ".join(unknown)), file=sys.stderr)
            return EXIT_FAILED
        user = await users.get(tx, *target)
        old = await coordinators.get(tx, user.id) if user else None
        if not codes and not args.admin and not (old and old.areas):
            print(_("Give --areas or --admin."), file=sys.stderr)
            return EXIT_USAGE
        user_id = await coordinators.user_for(tx, *target, now)
        if await state_store.load(tx, user_id) is None:
            # Their first chat opens the management menu instead of the carers' welcome.
            await state_store.save(tx, user_id, State("beheer.menu"), now)
        me = await coordinators.save(
            tx,
            user_id,
            role="admin" if args.admin else (old.role if old and not codes else "coordinator"),
            name=args.name if args.name is not None else (old.name if old else ""),
            org=args.org if args.org is not None else (old.org if old else ""),
            areas=codes or list(old.areas if old else ()),
            actor=actor,
            now=now,
        )
    if me.is_admin:
        print(_("{account} is now an administrator.").format(account=args.target))
    else:
        print(
            _("{account} is now a coordinator for: {areas}.").format(
                account=args.target, areas=", ".join(me.areas)
            )
        )
    return EXIT_OK


async def _db(db: Database, args: argparse.Namespace, _) -> int:
    if args.action == "backup":
        await db.backup(args.path)
        print(_("Backup written to {path}.").format(path=args.path))
        return EXIT_OK
    if args.action == "load-example":
        if not args.force and not await example_data.is_empty(db):
            print(
                _(
                    "The database {path} already has areas or resources. Loading the example "
                    "data would mix fictional help with real help. Use --force to load it anyway."
                ).format(path=db.path),
                file=sys.stderr,
            )
            return EXIT_FAILED
        try:
            area_result, resource_result = await example_data.load(db, _)
        except ImportRefused as error:
            return _report(error, _)
        print(
            _("Loaded the example data: {areas} areas, {resources} resources.").format(
                areas=area_result.created + area_result.updated,
                resources=resource_result.created + resource_result.updated,
            )
        )
        return EXIT_OK
    problems = await db.check()
    for problem in problems:
        print(problem)
    print(_("Database OK.") if not problems else _("Database has problems."))
    return EXIT_OK if not problems else EXIT_FAILED
