"""The `mantelbot` command line (contract in DESIGN.md)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from datetime import datetime
from pathlib import Path

from bot import example_data, serve, terminal
from bot.config import LANGUAGES, Config
from bot.csv_files import ImportRefused, export_resources, import_areas, import_resources
from bot.i18n import translators
from flows import Engine
from store import areas, resources
from store.db import Database

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="SQLite database file (default: $MANTELBOT_DB)")
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

    ar = sub.add_parser("areas", parents=[common], help="import or list areas")
    ar_sub = ar.add_subparsers(dest="action", required=True)
    ar_import = ar_sub.add_parser("import", parents=[common], help="upsert areas from CSV")
    ar_import.add_argument("file", type=Path)
    ar_sub.add_parser("list", parents=[common], help="the area tree")

    db = sub.add_parser("db", parents=[common], help="database maintenance")
    db_sub = db.add_subparsers(dest="action", required=True)
    backup = db_sub.add_parser("backup", parents=[common], help="online backup to PATH")
    backup.add_argument("path", type=Path)
    db_sub.add_parser("check", parents=[common], help="integrity and foreign key check")
    db_sub.add_parser(
        "load-example", parents=[common], help="load the Amsterdam example data (not real)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = Config.from_env()
    except (ValueError, KeyError) as error:  # ZoneInfoNotFoundError is a KeyError
        print(f"mantelbot: configuration: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.db:
        config = Config(
            Path(args.db),
            config.telegram_token,
            config.telegram_api_url,
            config.timezone,
            config.locale,
        )
    logging.basicConfig(
        level=logging.INFO if args.command == "run" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    command = args.command or ("run" if config.telegram_token else "chat")
    if command == "chat" and not args.command:
        args.user, args.lang = "demo", None
    try:
        return asyncio.run(_dispatch(command, args, config))
    except KeyboardInterrupt:
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
    db = await Database.open(config.db_path)
    try:
        if command == "chat":
            return await _chat(db, config, args, _)
        if command == "run":
            return await serve.run(db, config, channels, getattr(args, "webhook", False))
        if command == "resources":
            return await _resources(db, args, _)
        if command == "areas":
            return await _areas(db, args, _)
        return await _db(db, args, _)
    finally:
        await db.close()


async def _chat(db: Database, config: Config, args: argparse.Namespace, _) -> int:
    if await example_data.is_empty(db):
        await example_data.load(db, _)
        print(
            _(
                "The database {path} was empty: loaded the Amsterdam example data (not real)."
            ).format(path=config.db_path),
            file=sys.stderr,
        )
    engine = Engine(
        db,
        translators(config.timezone),
        languages=LANGUAGES,
        default_language=args.lang or config.locale,
        clock=lambda: datetime.now(config.timezone),
    )
    await terminal.chat(engine, args.user, hint=args.lang)
    return EXIT_OK


def _report(error: ImportRefused, _) -> int:
    print(_("Import refused; nothing was changed."), file=sys.stderr)
    for problem in error.problems:
        print("  " + problem.format(_), file=sys.stderr)
    return EXIT_FAILED


def _read(path: Path, _) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as error:
        print(
            _("Cannot read {path}: {error}").format(path=path, error=error.strerror),
            file=sys.stderr,
        )
        return None


async def _resources(db: Database, args: argparse.Namespace, _) -> int:
    actor = f"cli:{os.environ.get('USER', 'unknown')}"
    if args.action == "import":
        data = _read(args.file, _)
        if data is None:
            return EXIT_FAILED
        try:
            result = await import_resources(db, data, _, actor)
        except ImportRefused as error:
            return _report(error, _)
        print(
            _("Resources: {created} new, {updated} changed, {unchanged} unchanged.").format(
                **vars(result)
            )
        )
        return EXIT_OK
    if args.action == "export":
        data = await export_resources(db)
        if args.file:
            args.file.write_bytes(data)
        else:
            sys.stdout.buffer.write(data)
        return EXIT_OK
    async with db.read() as tx:
        items = await resources.list_all(tx, args.category)
    for r in items:
        state = "" if r.active else " " + _("(inactive)")
        print(f"{r.id:32} {r.category:18} {','.join(r.areas):20} {r.name}{state}")
    print(_("{n} resources").format(n=len(items)))
    return EXIT_OK


async def _areas(db: Database, args: argparse.Namespace, _) -> int:
    if args.action == "import":
        data = _read(args.file, _)
        if data is None:
            return EXIT_FAILED
        try:
            result = await import_areas(db, data, _, f"cli:{os.environ.get('USER', 'unknown')}")
        except ImportRefused as error:
            return _report(error, _)
        print(
            _("Areas: {created} new, {updated} changed, {unchanged} unchanged.").format(
                **vars(result)
            )
        )
        return EXIT_OK
    async with db.read() as tx:
        items = await areas.list_all(tx)
        depth = {}
        for area in items:
            depth[area.code] = depth.get(area.parent, -1) + 1
            pcs = areas.format_postcodes(area.postcodes)
            print(f"{'  ' * depth[area.code]}{area.code:20} {area.name:20} {pcs}")
    return EXIT_OK


async def _db(db: Database, args: argparse.Namespace, _) -> int:
    if args.action == "backup":
        await db.backup(args.path)
        print(_("Backup written to {path}.").format(path=args.path))
        return EXIT_OK
    if args.action == "load-example":
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
