"""Translations: gettext catalogues under `locales/`, read straight from the `.po` files (no
compile step), and dates and numbers through Babel's formatters."""

from __future__ import annotations

import gettext
import io
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "mantelbot"
# The locale for dates and numbers per language: English as written in Europe (day before month,
# 24-hour clock), not the American default of Babel's plain "en".
FORMAT_LOCALES = {"en": "en_GB"}


def po_path(lang: str) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _catalogue(lang: str) -> gettext.GNUTranslations:
    with po_path(lang).open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out, as msgfmt does
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translator:
    """Everything language-specific a flow needs."""

    def __init__(self, lang: str, timezone: ZoneInfo) -> None:
        self.lang = lang
        self.locale = Locale.parse(FORMAT_LOCALES.get(lang, lang))
        self.timezone = timezone
        self._catalogue = _catalogue(lang)

    def gettext(self, message: str) -> str:
        return self._catalogue.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalogue.ngettext(singular, plural, n)

    def format_date(self, value: date) -> str:
        return format_date(value, format="long", locale=self.locale)

    def format_datetime(self, value: datetime) -> str:
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.timezone)
        when = value.astimezone(self.timezone)
        day = format_date(when, format="full", locale=self.locale)
        return f"{day}, {format_time(when, format='short', locale=self.locale)}"

    def format_number(self, value: float) -> str:
        return format_decimal(value, locale=self.locale)


def translators(timezone: ZoneInfo):
    """A cached `lang → Translator` factory for the engine."""

    @cache
    def for_language(lang: str) -> Translator:
        return Translator(lang, timezone)

    return for_language
