"""Where the carer lives (leefpad) and where their naaste lives (zorgpad).

A postcode is only used to look up the district: only the area code is kept (`ctx.set_home_area`,
`ctx.set_care_area`), never the postcode. Instead of typing a postcode, a carer can pick the
district from a list.

During onboarding (entered with `data=first_time()`) the carer's own postcode is followed by the
naaste's, then the main menu. Entered any other way (e.g. from the settings menu) each question
stands on its own: after the answer the conversation goes to the main menu, or to the step given
with `data=single_question("settings.main")`.
"""

from __future__ import annotations

import re

from flows.engine import (
    HOME_STEP,
    N_,
    STEPS,
    Choice,
    Context,
    Incoming,
    Reply,
    Turn,
    goto,
    not_understood,
    step,
)
from flows.labels import filled_label, short_label
from store import areas
from store.areas import Area

HOME_POSTCODE_STEP = "onboarding.postcode"
CARE_POSTCODE_STEP = "onboarding.care_postcode"
AREA_LIST_STEP = "onboarding.area_list"
RETURN_TO = "return_to"  # step data: where to go after the answer
FIRST_TIME = "first_time"  # step data: part of onboarding, so the naaste's question follows

_POSTCODE = re.compile(r"^([1-9][0-9]{3})\s*([a-zA-Z]{2})?$")
# A postcode with its letters inside a sentence: "mijn postcode is 7411 ab", "7411AB toch?".
_POSTCODE_IN_TEXT = re.compile(r"(?<![0-9])([1-9][0-9]{3}) ?[a-zA-Z]{2}(?![0-9a-zA-Z])")


def parse_postcode(text: str) -> int | None:
    """`1055 AB`, `1055ab` or `1055` → 1055, also one postcode with letters in a sentence. Only
    the four digits are ever used."""
    match = _POSTCODE.match(text.strip())
    if match:
        return int(match.group(1))
    found = {int(m.group(1)) for m in _POSTCODE_IN_TEXT.finditer(text)}
    return found.pop() if len(found) == 1 else None


def first_time() -> dict[str, bool]:
    """Step data for the carer's own postcode during onboarding: the naaste's question follows."""
    return {FIRST_TIME: True}


def single_question(return_to: str = HOME_STEP) -> dict[str, str]:
    """Step data for asking one of these questions on its own, then going to `return_to`."""
    return {RETURN_TO: return_to}


def _after(ctx: Context, which: str) -> str:
    """The step after an answer: the one asked for; during onboarding the naaste's question;
    else the main menu."""
    target = ctx.data.get(RETURN_TO)
    if isinstance(target, str) and target in STEPS:
        return target
    if which == "home" and ctx.data.get(FIRST_TIME):
        return CARE_POSTCODE_STEP
    return HOME_STEP


def _carry(ctx: Context) -> dict:
    """The step data that must survive moving between these questions."""
    return {k: ctx.data[k] for k in (RETURN_TO, FIRST_TIME) if k in ctx.data}


async def _set_area(ctx: Context, which: str, code: str | None) -> None:
    if which == "home":
        await ctx.set_home_area(code)
    else:
        await ctx.set_care_area(code)


def _thanks(ctx: Context, which: str, area: Area) -> Reply:
    _ = ctx._
    if area.code == areas.ROOT:
        return Reply(_("OK. I will show you help for the whole country."))
    if which == "home":
        return Reply(_("Thank you. You live in {area}.").format(area=area.name))
    return Reply(_("Thank you. The person you care for lives in {area}.").format(area=area.name))


async def _from_postcode(ctx: Context, which: str, text: str, step_name: str) -> Turn:
    _ = ctx._
    pc4 = parse_postcode(text)
    if pc4 is None:
        return goto(step_name, Reply(_("Sorry, that is not a postcode.")), data=ctx.data)
    area = await areas.for_postcode(ctx.tx, pc4)
    if area is None:
        await _set_area(ctx, which, areas.ROOT)
        return goto(
            _after(ctx, which),
            Reply(
                _(
                    "I do not have local help for {postcode} yet. I will show you national help."
                ).format(postcode=pc4)
            ),
        )
    await _set_area(ctx, which, area.code)
    return goto(_after(ctx, which), _thanks(ctx, which, area))


async def example_postcodes(ctx: Context) -> list[str]:
    """Postcodes from the loaded areas to show as examples ("8011 AB"): the lowest of each
    district (an area with postcodes and no districts of its own), in the order of the list."""
    all_areas = await areas.list_all(ctx.tx)
    parents = {a.parent for a in all_areas if a.postcodes}
    return [f"{min(a.postcodes)} AB" for a in all_areas if a.postcodes and a.code not in parents]


async def _asked_with_example(ctx: Context, with_example: str, without: str, index: int) -> str:
    """The question with an example postcode from the loaded areas (the `index`-th, so the
    carer's and the naaste's questions differ); without areas, the question alone."""
    examples = await example_postcodes(ctx)
    if not examples:
        return ctx._(without)
    return ctx._(with_example).format(postcode=examples[min(index, len(examples) - 1)])


async def ask_postcode(ctx: Context) -> Reply:
    _ = ctx._
    return Reply(
        await _asked_with_example(
            ctx,
            N_("Where do you live? Type your postcode, for example {postcode}."),
            N_("Where do you live? Type your postcode."),
            0,
        )
        + "\n"
        + _("I only use it to find help in your district."),
        (Choice("list", _("Pick from a list")), Choice("skip", _("Skip"))),
    )


@step(HOME_POSTCODE_STEP, ask=ask_postcode, edits=True)
async def home_postcode(ctx: Context, msg: Incoming) -> Turn:
    _ = ctx._
    if msg.choice == "skip":
        await ctx.set_home_area(None)
        return goto(
            _after(ctx, "home"), Reply(_("OK. I will show you help for the whole country."))
        )
    if msg.choice == "list":
        return goto(AREA_LIST_STEP, data={"for": "home"} | _carry(ctx))
    if msg.choice is not None:
        return not_understood()
    return await _from_postcode(ctx, "home", msg.text or "", HOME_POSTCODE_STEP)


async def ask_care_postcode(ctx: Context) -> Reply:
    _ = ctx._
    choices = (Choice("same", _("Same as me")),) if ctx.home_area else ()
    choices += (Choice("list", _("Pick from a list")), Choice("skip", _("Skip")))
    return Reply(
        await _asked_with_example(
            ctx,
            N_(
                "Where does the person you care for live? Type their postcode, "
                "for example {postcode}."
            ),
            N_("Where does the person you care for live? Type their postcode."),
            1,
        )
        + "\n"
        + _(
            "Then I can also find help close to them, such as someone who takes over the care "
            "for a while."
        )
        + " "
        # Without consent nothing is kept at all; with it, only the district.
        + (
            _("I only keep the district, not the postcode.")
            if ctx.consented
            else _("I do not store it.")
        ),
        choices,
    )


@step(CARE_POSTCODE_STEP, ask=ask_care_postcode, edits=True)
async def care_postcode(ctx: Context, msg: Incoming) -> Turn:
    _ = ctx._
    if msg.choice == "same" and ctx.home_area:
        await ctx.set_care_area(ctx.home_area)
        return goto(_after(ctx, "care"), Reply(_("OK. You both live in the same district.")))
    if msg.choice == "skip":
        await ctx.set_care_area(None)
        return goto(_after(ctx, "care"), Reply(_("OK. I will look for help close to you.")))
    if msg.choice == "list":
        return goto(AREA_LIST_STEP, data={"for": "care"} | _carry(ctx))
    if msg.choice is not None:
        return not_understood()
    return await _from_postcode(ctx, "care", msg.text or "", CARE_POSTCODE_STEP)


class _Tree:
    """The areas a carer can pick: those with postcodes, and the areas above them."""

    def __init__(self, all_areas: list[Area]) -> None:
        self.by_code = {a.code: a for a in all_areas}
        self.children: dict[str, list[Area]] = {}
        for a in all_areas:  # parents come before children, siblings by name
            if a.parent:
                self.children.setdefault(a.parent, []).append(a)
        self._usable: dict[str, bool] = {}

    def usable(self, code: str) -> bool:
        """Has postcodes itself or somewhere below it."""
        if code not in self._usable:
            area = self.by_code[code]
            self._usable[code] = bool(area.postcodes) or any(
                self.usable(c.code) for c in self.children.get(code, [])
            )
        return self._usable[code]

    def options(self, parent: str) -> list[Area]:
        return [a for a in self.children.get(parent, []) if self.usable(a.code)]

    def start(self, parent: str | None) -> str:
        """Where the list opens: with only one city, straight at its districts."""
        code = parent if parent in self.by_code else areas.ROOT
        if code == areas.ROOT:
            top = self.options(code)
            if len(top) == 1 and self.options(top[0].code):
                return top[0].code
        return code


def _area_key(code: str) -> str | None:
    key = f"area:{code}"
    return key if len(key.encode()) <= 64 else None


async def ask_area_list(ctx: Context) -> Reply:
    _ = ctx._
    tree = _Tree(await areas.list_all(ctx.tx))
    parent = tree.start(ctx.data.get("parent"))
    choices: list[Choice] = []
    for area in tree.options(parent):
        key = _area_key(area.code)
        if key:
            choices.append(Choice(key, short_label(area.name)))
    if parent == areas.ROOT:
        text = _("Which place? Choose from the list.")
    else:
        name = tree.by_code[parent].name
        text = _("Which district of {place}? Choose from the list.").format(place=name)
        key = _area_key(parent)
        if key:
            choices.append(Choice(key, filled_label(_("Somewhere else in {place}"), place=name)))
    choices.append(Choice(f"area:{areas.ROOT}", _("Elsewhere in the Netherlands")))
    return Reply(text, tuple(choices))


@step(AREA_LIST_STEP, ask=ask_area_list)
async def area_list(ctx: Context, msg: Incoming) -> Turn:
    code = (msg.choice or "").removeprefix("area:")
    if not msg.choice or not msg.choice.startswith("area:"):
        return not_understood()
    tree = _Tree(await areas.list_all(ctx.tx))
    if code not in tree.by_code:
        return not_understood()
    which = "care" if ctx.data.get("for") == "care" else "home"
    current = tree.start(ctx.data.get("parent"))
    if code not in (areas.ROOT, current) and tree.options(code):
        # A city with districts: show its districts next.
        return goto(AREA_LIST_STEP, data=ctx.data | {"parent": code})
    await _set_area(ctx, which, code)
    return goto(_after(ctx, which), _thanks(ctx, which, tree.by_code[code]))
