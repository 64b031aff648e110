"""How the engine's replies look on Telegram: escaped HTML, buttons, long texts in parts."""

from __future__ import annotations

import html

from hypothesis import given
from hypothesis import strategies as st

from bot.telegram_render import MAX_TEXT, render, size, split_text
from flows.engine import Choice, Document, Reply
from tests.fake_bot_api import utf16_len, visible_text


def shown(outgoing) -> str:
    return visible_text(outgoing.text)


def test_user_and_resource_text_is_escaped():
    [message] = render([Reply('Zorg & Welzijn <West> "gratis"', (Choice("menu", "Menu"),))])
    assert message.text == "Zorg &amp; Welzijn &lt;West&gt; &quot;gratis&quot;"
    assert shown(message) == 'Zorg & Welzijn <West> "gratis"'


def test_replies_join_into_one_message_until_one_with_buttons():
    messages = render(
        [
            Reply("Dank je."),
            Reply("Waar woon je?", (Choice("skip", "Overslaan"), Choice("back", "Terug"))),
            Reply("Nog iets."),
        ]
    )
    assert [m.text for m in messages] == ["Dank je.\n\nWaar woon je?", "Nog iets."]
    keyboard = messages[0].keyboard.inline_keyboard
    assert [[b.callback_data for b in row] for row in keyboard] == [["skip"], ["back"]]
    assert messages[1].keyboard is None


def test_more_than_six_buttons_go_in_two_columns_up_to_six_in_one():
    def rows(n: int) -> list[list[str]]:
        choices = tuple(Choice(f"k{i}", f"Keuze {i}") for i in range(n))
        [message] = render([Reply("Kies:", choices)])
        return [[b.callback_data for b in row] for row in message.keyboard.inline_keyboard]

    assert rows(6) == [[f"k{i}"] for i in range(6)]
    assert rows(7) == [["k0", "k1"], ["k2", "k3"], ["k4", "k5"], ["k6"]]


def test_a_long_text_is_split_at_paragraphs_with_the_buttons_on_the_last_part():
    paragraphs = [f"Alinea {i}. " + "woord " * 300 for i in range(8)]  # about 14,500 chars
    messages = render([Reply("\n\n".join(paragraphs), (Choice("more", "Meer"),))])
    assert len(messages) > 1
    assert all(utf16_len(shown(m)) <= MAX_TEXT for m in messages)
    assert all(m.keyboard is None for m in messages[:-1]) and messages[-1].keyboard
    # Cut between paragraphs only: each part starts a paragraph.
    assert all(shown(m).startswith("Alinea") for m in messages)
    assert " ".join(shown(m) for m in messages).split() == " ".join(paragraphs).split()


def test_escaping_and_emoji_count_toward_the_limit():
    text = "&" * 1000 + "🙂" * 1000  # 5,000 escaped characters and 2,000 UTF-16 units
    pieces = split_text(text)
    assert all(size(piece) <= MAX_TEXT for piece in pieces)
    assert "".join(pieces) == text


def test_a_document_carries_the_replys_text_as_caption_and_its_buttons():
    document = Document("mijn-gegevens.json", b"{}")
    messages = render(
        [
            Reply("Dit weet ik van je."),
            Reply("Hier is het bestand.", (Choice("menu", "Menu"),), document),
        ]
    )
    assert [m.document for m in messages] == [None, document]
    assert messages[0].text == "Dit weet ik van je." and messages[0].keyboard is None
    assert messages[1].text == "Hier is het bestand." and messages[1].keyboard


@given(st.text(alphabet=st.sampled_from("ab <&\n🙂"), max_size=400), st.integers(20, 80))
def test_split_text_keeps_every_word_and_respects_the_limit(text, limit):
    pieces = split_text(text, limit)
    assert all(0 < size(piece) <= limit for piece in pieces)
    assert all(piece == piece.strip() for piece in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())
    assert html.unescape(html.escape(text)) == text
