"""Know your rights and options (Versterken): short information pages, a few screens each.

The texts are content files, one per page and language: `locales/<lang>/pages/<page>.md`. The first
line is `# Title`; a line `---` starts a new screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flows import find_help
from flows.engine import (
    N_,
    Choice,
    Context,
    Incoming,
    Reply,
    Turn,
    goto,
    menu_entry,
    not_understood,
    step,
)
from store import areas, resources

PAGES_DIR = Path(__file__).resolve().parent.parent / "locales"
FALLBACK_LANGUAGE = "nl"
# In the order they are offered.
PAGES = (
    "mantelzorg",
    "leave",
    "wmo",
    "appreciation",
    "respite",
    "working_carers",
    "young_carers",
)
# Where a page's last screen leads on: (key, label). Keys are handled in `page` below.
LINKS: dict[str, tuple[tuple[str, str], ...]] = {
    "mantelzorg": (("am_i", N_("Am I a carer?")), ("find", N_("Find help near me"))),
    "leave": (
        ("page:working_carers", N_("Read: working and caring")),
        ("consult", N_("Ask a carer support adviser")),
    ),
    "wmo": (
        ("prepare", N_("Prepare the conversation")),
        ("consult", N_("Ask a carer support adviser")),
    ),
    "appreciation": (("door:appreciation", N_("Appreciation near me")),),
    "respite": (
        ("door:respite", N_("Find respite care near me")),
        ("consult", N_("Ask a carer support adviser")),
    ),
    "working_carers": (
        ("page:leave", N_("Read: leave from work")),
        ("door:peers", N_("Meet other carers")),
    ),
    "young_carers": (("young_help", N_("Help for young carers")),),
}
TARGETS = {
    "am_i": "recognise.cares",
    "find": find_help.DOORS_STEP,
    "prepare": "prepare.intro",
    "consult": "consult.start",
    "young_help": "info.young_help",
}

menu_entry("rights", N_("Your rights and information"), "info.topics", order=30)


@dataclass(frozen=True)
class Page:
    name: str
    title: str
    screens: tuple[str, ...]


def parse_page(name: str, text: str) -> Page:
    lines = text.strip().splitlines()
    if not lines or not lines[0].startswith("# "):
        raise ValueError(f"page {name}: the first line must be '# Title'")
    screens, current = [], []
    for line in lines[1:]:
        if line.strip() == "---":
            screens.append("\n".join(current).strip())
            current = []
        else:
            current.append(line.rstrip())
    screens.append("\n".join(current).strip())
    return Page(name, lines[0][2:].strip(), tuple(s for s in screens if s))


def page_path(lang: str, name: str) -> Path:
    return PAGES_DIR / lang / "pages" / f"{name}.md"


@cache
def load_page(lang: str, name: str) -> Page:
    """The page in `lang`, or in Dutch when that language has none."""
    path = page_path(lang, name)
    if not path.exists():
        path = page_path(FALLBACK_LANGUAGE, name)
    return parse_page(name, path.read_text(encoding="utf-8"))


async def ask_topics(ctx: Context) -> Reply:
    _ = ctx._
    titles = tuple(Choice(f"page:{name}", load_page(ctx.lang, name).title) for name in PAGES)
    return Reply(
        _("What do you want to know? I explain it in a few short messages."),
        titles
        + (
            Choice("map", _("All help near me")),
            Choice("menu", _("Main menu")),
        ),
    )


@step("info.topics", ask=ask_topics)
async def topics(ctx: Context, msg: Incoming) -> Turn:
    name = (msg.choice or "").removeprefix("page:")
    if name in PAGES:
        return goto("info.page", data={"page": name, "screen": 0})
    if msg.choice == "map":
        return goto("find.category")
    return not_understood()


def _position(ctx: Context) -> tuple[Page, int]:
    name = ctx.data.get("page")
    page = load_page(ctx.lang, name if name in PAGES else PAGES[0])
    screen = ctx.data.get("screen", 0)
    if not isinstance(screen, int) or not 0 <= screen < len(page.screens):
        screen = 0
    return page, screen


async def ask_page(ctx: Context) -> Reply:
    _ = ctx._
    page, screen = _position(ctx)
    text = page.screens[screen]
    if len(page.screens) > 1:
        text += "\n\n" + _("({number}/{total})").format(number=screen + 1, total=len(page.screens))
    if screen == 0:
        text = f"{page.title}\n\n{text}"
    choices: list[Choice] = []
    if screen + 1 < len(page.screens):
        choices.append(Choice("next", _("Next")))
    else:
        choices += [Choice(key, _(label)) for key, label in LINKS.get(page.name, ())]
    choices += [Choice("topics", _("Other topics")), Choice("menu", _("Main menu"))]
    return Reply(text, tuple(choices))


@step("info.page", ask=ask_page)
async def page(ctx: Context, msg: Incoming) -> Turn:
    current, screen = _position(ctx)
    key = msg.choice or ""
    if key == "next" and screen + 1 < len(current.screens):
        return goto("info.page", data={"page": current.name, "screen": screen + 1})
    if key == "topics":
        return goto("info.topics")
    if key.startswith("page:") and key[5:] in PAGES:
        return goto("info.page", data={"page": key[5:], "screen": 0})
    if key.startswith("door:") and key[5:] in find_help.DOORS:
        return await find_help.open_door(ctx, key[5:])
    if key in TARGETS:
        return goto(TARGETS[key])
    return not_understood()


# --- help for young carers: every resource for them in the carer's area, any kind ----------


async def ask_young_help(ctx: Context) -> Reply:
    _ = ctx._
    lineage = await areas.lineage(ctx.tx, ctx.home_area) if ctx.home_area else [areas.ROOT]
    found = []
    for category in resources.CATEGORIES:
        for resource in await resources.for_areas(ctx.tx, category, lineage, ctx.now):
            if "young_carers" in resource.audience:
                found.append(resource)
    choices = (
        Choice("read", _("Read about young carers")),
        Choice("find", _("Find help near me")),
        Choice("menu", _("Main menu")),
    )
    if not found:
        return Reply(
            _(
                "I do not know help especially for young carers in your area yet. "
                "Ask a teacher or the school social worker: they can help you find it."
            ),
            choices,
        )
    cards = []
    for resource in found[:5]:
        lines = [resource.name, resource.text("description", ctx.lang)]
        first_step = resource.text("first_step", ctx.lang)
        if first_step:
            lines.append(_("First step: {action}").format(action=first_step))
        if resource.phone:
            lines.append(_("Phone: {phone}").format(phone=resource.phone))
        if resource.url:
            lines.append(_("Website: {url}").format(url=resource.url))
        cards.append("\n".join(line for line in lines if line))
    return Reply(
        _("Help for young carers:") + "\n\n" + "\n\n".join(cards),
        choices,
    )


@step("info.young_help", ask=ask_young_help)
async def young_help(ctx: Context, msg: Incoming) -> Turn:
    if msg.choice == "read":
        return goto("info.page", data={"page": "young_carers", "screen": 0})
    if msg.choice == "find":
        return goto(find_help.DOORS_STEP)
    return not_understood()
