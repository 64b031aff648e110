"""Does a message ask for the crisis screen, the abuse screen, or neither? A pure function.

`detect(text, language)` reads a message the way a person would, not as a fixed phrase list:
- the text is normalised (case, accents, curly quotes, "neeeee" → "nee") and chat spelling is
  written out ("k" → "ik", "t" → "het", "nie" → "niet", "kms" → "kill myself", "cant" → "can not");
- the key words of suicide and abuse match with a small edit distance ("zelfmord", "sucidal");
- rules look at words within one clause in any order ("dat ze dood wil", "ik wil dood"), and at what
  ends a clause: "ik kan niet meer" counts when the clause ends there or goes on with "aan", "op",
  "tegen", "tegenop", but not when a verb or an object follows ("ik kan niet meer lopen").

Crisis wins over abuse when a message has both: 113 and 112 come first, Veilig Thuis is one tap
away. Explicit suicidality counts in every person ("mijn moeder zegt dat ze dood wil"); running out
of strength ("ik kan niet meer") only in the first person, because "hij kan niet meer" is usually
about walking or eating. The corpus in tests/data/crisis_corpus.tsv is the measure of this module.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _word_tuple(text: str) -> tuple[str, ...]:
    return tuple(text.split())


class Signal(StrEnum):
    CRISIS = "crisis"
    ABUSE = "abuse"
    NONE = "none"


def detect(text: str, language: str | None = None) -> Signal:
    """The screen a message calls for. `language` is the carer's chat language; the rules of both
    languages always run, because carers switch language mid-sentence. The hint only decides how
    a bare "k" is read: "ik" in Dutch, "ok" in English."""
    clauses = _clauses(text, english=language == "en")
    if any(rule(c) for c in clauses for rule in _CRISIS_RULES):
        return Signal.CRISIS
    if any(rule(c) for c in clauses for rule in _ABUSE_RULES):
        return Signal.ABUSE
    return Signal.NONE


# --- normalising ----------------------------------------------------------------------------

END = "|"  # marks the end of a clause inside a sentence (a comma, "en", "maar", …)
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'"})
# Chat spelling and contractions, written out. Values may be several words.
_SPELLING = {
    # Dutch
    "'k": "ik",
    "t": "het",
    "'t": "het",
    "et": "het",
    "nie": "niet",
    "ni": "niet",
    "nt": "niet",
    "mn": "mijn",
    "m'n": "mijn",
    "mijne": "mijn",
    "zn": "zijn",
    "z'n": "zijn",
    "ie": "hij",
    "dr": "er",
    "d'r": "er",
    "ff": "even",
    "effe": "even",
    "gwn": "gewoon",
    "egt": "echt",
    "kn": "kan",
    "m": "hem",
    "'m": "hem",
    "um": "hem",
    "zelfmoord-": "zelfmoord",
    # English
    "im": "i am",
    "i'm": "i am",
    "i'll": "i will",
    "i'd": "i would",
    "cant": "can not",
    "can't": "can not",
    "cannot": "can not",
    "couldnt": "could not",
    "couldn't": "could not",
    "dont": "do not",
    "don't": "do not",
    "doesnt": "does not",
    "doesn't": "does not",
    "didnt": "did not",
    "didn't": "did not",
    "wont": "will not",
    "won't": "will not",
    "wasnt": "was not",
    "wasn't": "was not",
    "werent": "were not",
    "weren't": "were not",
    "wanna": "want to",
    "gonna": "going to",
    "kms": "kill myself",
    "u": "you",
    "ur": "your",
    "mum's": "mum",
    "dad's": "dad",
    "it's": "it is",
    "he's": "he is",
    "she's": "she is",
}
# Words after which a new clause starts even without a comma ("ik kan niet meer en ik …").
_CONJUNCTIONS = {"en", "maar", "dus", "omdat", "terwijl", "and", "but", "because", "so"}
# Key words whose typos still count (edit distance 1, or 2 from nine letters). Short or common
# words are left out on purpose: "dood" is one letter from "door", "wakker" from "wekker".
_FUZZY = _word_tuple(
    "zelfmoord zelfdoding suicide suicidaal suicidal mishandeld mishandelt mishandeling "
    "mishandelen zitten aandoen myself anymore overdosis overdose"
)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"([a-z])\1{2,}", r"\1\1", plain)  # "zelfmooord" → "zelfmoord"


def _clauses(text: str, *, english: bool = False) -> list[list[str]]:
    """Sentences as word lists, with END where a clause ends inside the sentence."""
    sentences = []
    for sentence in re.split(r"[.!?;:\n]+", _plain(text)):
        words: list[str] = []
        for raw in re.findall(r"[a-z0-9]+(?:'[a-z]+)?|'[a-z]\b|[,()]", sentence):
            if raw in ",()":
                words.append(END)
                continue
            for word in _spell(raw, english).split():
                if word in _CONJUNCTIONS:
                    words.append(END)
                words.append(word)
        if sentences and words and set(words) <= {"voorgoed", "forever", "voor", "altijd", END}:
            sentences[-1] += [END, *words]  # "ik wil gewoon weg. voorgoed."
        elif any(w != END for w in words):
            sentences.append(words)
    return sentences


def _spell(word: str, english: bool) -> str:
    if word == "k":
        return "ok" if english else "ik"
    if word in _SPELLING:
        return _SPELLING[word]
    word = word.strip("'")
    if word in _SPELLING:
        return _SPELLING[word]
    if word in _KNOWN:
        return word
    if word.endswith("e") and word + "n" in _KNOWN:
        return word + "n"  # chat drops the final n: "zitte", "make"
    if len(word) < 5:
        return word
    for key in _FUZZY:
        if key[0] == word[0] and _close(word[: len(key) + 2], key):
            return key + word[len(key) :] if word.startswith(key[:5]) else key
    return word


def _close(word: str, key: str) -> bool:
    limit = 2 if len(key) >= 9 else 1
    if word.startswith(key):
        return True
    return any(
        _distance(word[:n], key) <= limit for n in range(len(key) - limit, len(key) + limit + 1)
    )


def _distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): typos swap neighbours."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


# --- word sets ------------------------------------------------------------------------------

_KAN = {"kan", "kun", "kon", "kunnen", "konden", "kunt"}
_MORE = {"meer", "langer"}
_WANT = _words("wil will wilt wou wilde willen wens wenst wenste liefst liever beter hoop")
_FIRST_PERSON = {"ik", "we", "wij"}
_AFTER_DEATH = {"zijn", "gaan", "gaat", "was", "ben", "is", "wezen", "zou", "hoor", "echt", "even"}
_AFTER_DEATH |= {"serieus", "dan", "gewoon", "zegt", "zei", "want"}
_SUBJECTS = {"ik", "hij", "zij", "wij", "we", "jij", "i", "he", "she"}
_FINITE = {"is", "gaat", "wordt", "word", "was", "ben", "zijn", "heb", "heeft", "moet", "lukt"}
# What may follow "kan niet meer" when the carer means "I can't go on" (particles and fillers).
_GIVING_UP_NEXT = _words(
    "aan op tegen tegenop verder volhouden aankunnen trekken opbrengen dragen uithouden "
    "hebben hoor help sorry"
)
# Words that say nothing about what follows "kan niet meer": "ik kan echt niet meer zo".
_FILLER_AFTER = {"zo", "echt", "gewoon", "even", "nu", "nou", "eigenlijk", "allemaal", "ook"}
_AFTER_PARTICLE = {"met", "hoor", "echt", "meer", "nu", "allemaal", "alleen", "zo", "gewoon"}
_KIN = _words(
    "moeder vader ma pa mam pap mama papa man vrouw partner vriend vriendin zoon dochter kind "
    "broer zus oma opa schoonmoeder schoonvader naaste echtgenoot echtgenote mum mom mother "
    "dad father husband wife son daughter brother sister grandma grandmother grandpa "
    "grandfather nan gran"
)
_POSSESSIVE = {"mijn", "zijn", "haar", "onze", "ons", "my", "his", "her", "our"}
_OBJECT = {"me", "mij", "hem", "haar", "ze", "him", "her", "them", "jou"}
_REFLEXIVE = {"mezelf", "mijzelf", "zichzelf", "jezelf", "myself", "himself", "herself"}
# Words that may stand between a verb and its object: "ik sla hem soms", "slaat hij me".
_FILLERS = _words(
    "soms vaak wel steeds weer nog ook echt bijna toen dan gewoon altijd even ik hij zij je "
    "vroeger gisteren laatst ooit sometimes often yesterday again always just really"
)
_KNOWN = (
    _KAN
    | _MORE
    | _WANT
    | _GIVING_UP_NEXT
    | _FILLER_AFTER
    | _KIN
    | _REFLEXIVE
    | set(_FUZZY)
    | _words("zitten maken leven wakker worden niet dood een aan mezelf verdwijnen")
)


def _at(words: list[str], i: int) -> str:
    return words[i] if 0 <= i < len(words) else END


def _positions(words: list[str], options: Iterable[str]) -> list[int]:
    wanted = set(options)
    return [i for i, w in enumerate(words) if w in wanted]


def _near(words: list[str], i: int, options: Iterable[str], before: int, after: int) -> bool:
    """Is one of `options` within `before` words before or `after` words after `i`, in the same
    clause?"""
    wanted = set(options)
    for step, reach in ((-1, before), (1, after)):
        for k in range(1, reach + 1):
            w = _at(words, i + step * k)
            if w == END:
                break
            if w in wanted:
                return True
    return False


def _has(words: list[str], *options: str) -> bool:
    return any(w in options for w in words)


def _starts_with(words: list[str], *prefixes: str) -> bool:
    return any(w.startswith(prefixes) for w in words)


def _clause_ends(words: list[str], i: int) -> bool:
    """Does a clause end at position `i` (the end, a comma, a conjunction, a new subject)?"""
    w = _at(words, i)
    if w == END or w in _SUBJECTS or w == "want":  # Dutch "want" (because); not a mark in English
        return True
    return w in {"het", "ze", "dit", "dat", "alles", "er"} and _at(words, i + 1) in _FINITE


def _first_person_near(words: list[str], i: int) -> bool:
    """The subject of the verb at `i` is "ik"/"we", or there is none ("kan niet meer")."""
    if _near(words, i, _FIRST_PERSON, 5, 2):
        return True
    start = i
    while start > 0 and words[start - 1] != END:
        start -= 1
    return start == i


# --- crisis rules (Dutch) ------------------------------------------------------------------


def _suicide_word(words: list[str]) -> bool:
    return _starts_with(words, "zelfmoord", "zelfdoding", "suicid", "levensmoe", "overdos")


def _giving_up(words: list[str]) -> bool:
    """ "ik kan (het) niet meer (aan)" but not "ik kan niet meer lopen"."""
    for n in _positions(words, {"niet"}):
        if _at(words, n + 1) not in _MORE:
            continue
        after = n + 2
        if _at(words, after) in _KAN:  # "dat ik het niet meer kan"
            kan, after = after, after + 1
        else:
            before = [k for k in range(max(0, n - 5), n) if words[k] in _KAN]
            if not before or END in words[before[-1] : n]:
                continue
            kan = before[-1]
        if not _first_person_near(words, kan):
            continue
        while _at(words, after) in _FILLER_AFTER | {"meer", "niet"}:
            after += 1
        following = _at(words, after)
        if _clause_ends(words, after):
            return True
        if following in {"aan", "op", "tegen", "tegenop"}:
            if _clause_ends(words, after + 1) or _at(words, after + 1) in _AFTER_PARTICLE:
                return True
        elif following in _GIVING_UP_NEXT and _at(words, after + 1) != "om":
            return True  # not "ik kan het niet meer opbrengen om te koken": that is one task
    return False


def _holding_out(words: list[str]) -> bool:
    """ "ik hou het niet (meer) vol", "ik trek het niet meer"."""
    for i in _positions(words, {"hou", "houd", "hield"}):
        rest = words[i + 1 : i + 8]
        if "niet" in rest and ("vol" in rest or "uit" in rest) and _first_person_near(words, i):
            return True
    for i in _positions(words, {"trek"}):
        rest = words[i + 1 : i + 6]
        if "niet" in rest and _has(rest, *_MORE) and _first_person_near(words, i):
            return True
    return False


def _no_way_forward(words: list[str]) -> bool:
    """ "ik zie het niet meer zitten", "geen uitweg", "het hoeft voor mij niet meer"."""
    if _has(words, "zie", "zien", "ziet", "zag") and "zitten" in words:
        z = words.index("zitten")
        hopeless = _has(words, "meer", "helemaal", "totaal", "leven")
        if "niet" in words[:z] and hopeless and _at(words, z + 1) not in {"om", "tegen"}:
            return True
    if (
        _has(words, "beter", "better")
        and _has(words, "af", "off")
        and _has(words, "zonder", "without")
    ):
        return _has(words, "mij", "me")  # "iedereen is beter af zonder mij"
    if "uitweg" in words and _has(words, "geen", "nergens"):
        return True
    if _has(words, "hoeft", "hoef") and "mij" in words and "niet" in words:
        m = words.index("niet")
        return _at(words, m + 1) == "meer" and _clause_ends(words, m + 2)
    return False


def _wish_to_die(words: list[str]) -> bool:
    """ "ik wil dood", "dat ze dood wil", "was ik maar dood", not "ik wil niet dat ze dood gaat"."""
    if _has(words, "thuis", "ziekenhuis", "hospice"):
        return False  # where someone wants to die is a wish about dying well, not to die
    for d in _positions(words, {"dood", "doodgaan", "sterven"}):
        if _at(words, d + 1) in {"op", "moe"} or _at(words, d - 1) == "niet":
            continue
        if not (_clause_ends(words, d + 1) or _at(words, d + 1) in _AFTER_DEATH | _WANT):
            continue  # "dood" as a topic: "hij wil de dood niet bespreken"
        if _at(words, d - 1) == "maar":  # "was ik maar dood"
            return True
        for w in range(max(0, d - 4), min(len(words), d + 3)):
            if words[w] in _WANT and END not in words[min(w, d) : max(w, d)]:
                if _at(words, w + 1) == "niet" and _at(words, w + 2) == "dat":
                    continue
                return True
    return False


def _not_wanting_to_live(words: list[str]) -> bool:
    """ "ik wil niet meer leven", "ik wil er niet meer zijn", "nooit meer wakker worden",
    "ik wil niet meer." (first person, clause ends), "het leven heeft geen zin"."""
    for n in _positions(words, {"niet", "nooit"}):
        if _at(words, n + 1) != "meer":
            continue
        nxt = _at(words, n + 2)
        wants = _near(words, n, _WANT | {"hoef", "hoeft"}, 4, 0)
        if nxt == "wakker" and (words[n] == "nooit" or _has(words, *_WANT)):
            return True
        if nxt == "leven" and wants:
            return True
        if nxt == "verder" and wants and _clause_ends(words, n + 3):
            return True
        if nxt == "zo" and _at(words, n + 3) == "leven" and wants:
            return True
        if nxt in {"zijn", "wezen"} and wants and _has(words, "er", "hier"):
            return True
        if wants and _clause_ends(words, n + 2) and _near(words, n, {"ik"}, 4, 0):
            return True  # "ik wil niet meer" with nothing after it
    pointless = _has(words, "zat", "zinloos") or ("geen" in words and "zin" in words)
    return "leven" in words and pointless


def _ending_it(words: list[str]) -> bool:
    """ "ik maak er een eind aan", "een einde aan mijn leven", "mezelf van kant maken"."""
    making = _has(words, "maak", "maakt", "maken", "maakte", "gemaakt")
    if _has(words, "eind", "einde") and "aan" in words and (making or "leven" in words):
        a = words.index("aan")
        if _has(words, "er", "leven", "alles") or _clause_ends(words, a + 1):
            return True
    return making and "kant" in words and _has(words, "van") and _has(words, *_REFLEXIVE, "me")


def _self_harm(words: list[str]) -> bool:
    """ "ik doe mezelf iets aan", "ik snij mezelf", "me ophangen", pills, a train."""
    reflexive = _has(words, *_REFLEXIVE)
    if reflexive and _has(words, "iets", "wat") and _starts_with(words, "aan"):
        return True
    harm = {"snij", "snijd", "snijden", "gesneden", "pijn", "ophangen", "verhangen", "doden"}
    if reflexive and _has(words, *harm):
        return True
    if _has(words, "me", "mij") and _has(words, "ophangen", "verhangen", "verhang"):
        return True
    if "pillen" in words and "alle" in words and _has(words, "innemen", "nemen", "slikken", "in"):
        return True
    jump = _has(words, "springen", "spring", "gooien", "stappen")
    return jump and (_has(words, "trein", "brug", "flat", "balkon") and _has(words, *_WANT))


# --- crisis rules (English) ----------------------------------------------------------------


def _english_crisis(words: list[str]) -> bool:
    if _has(words, "kill", "killing", "hurt", "hurting", "harm", "cut", "cutting") and _has(
        words, *_REFLEXIVE
    ):
        return True
    if "self" in words and "harm" in words:
        return True
    for d in _positions(words, {"die", "dead"}):
        if _at(words, d + 1) in {"tired", "on", "my", "her", "his", "the", "it", "them"}:
            continue
        wants = {"want", "wants", "wanted", "wish", "wished", "rather", "better", "ready", "to"}
        if _near(words, d, wants, 4, 0) and not _near(words, d, {"going", "is", "dying"}, 2, 0):
            if _at(words, d - 1) == "to" and _at(words, d - 2) == "going":
                continue
            return True
    if "life" in words and _has(words, "end", "ending", "take", "taking") and _has(words, "my"):
        return True
    if "end" in words and "it" in words and "all" in words:
        return True
    for e in _positions(words, {"end", "ending"}):
        if _at(words, e + 1) == "it" and _clause_ends(words, e + 2):
            return True  # "I feel like ending it"
    if "wake" in words and "never" in words:
        return True
    if "live" in words and _has(words, "reason", "nothing", "worth"):
        return True
    if _has(words, "rope", "tether") and "end" in words:
        return True  # "at the end of my rope"
    if "way" in words and "out" in words and "no" in words:
        return True
    for n in _positions(words, {"not"}):
        before, after = words[max(0, n - 2) : n], words[n + 1 : n + 8]
        verb = _at(words, n + 1) if "can" in before else ""
        if verb in {"go", "carry"} and (
            _clause_ends(words, n + 3) or _has(after, "like", "anymore", "longer")
        ):
            return True
        ends = _clause_ends(words, n + 3) or _at(words, n + 3) in {"anymore", "any"}
        it = _at(words, n + 2) in {"it", "this"}  # "I can't take it", not "… take him to"
        if verb in {"take", "do", "handle", "bear", "stand"} and it and ends:
            return True
        if "can" in before and _at(words, n + 1) == "cope" and _clause_ends(words, n + 2):
            return True
        if _at(words, n + 1) in {"want", "wanna"} and "to" in after:
            t = after.index("to") + n + 1
            goal = _at(words, t + 1)
            if goal in {"live", "exist"} or (goal, _at(words, t + 2)) == ("wake", "up"):
                return True
            if (goal, _at(words, t + 2)) == ("be", "here") and (
                _clause_ends(words, t + 3) or _at(words, t + 3) == "anymore"
            ):
                return True
    return False


# --- crisis rules: passive death wishes and preparation (both languages) ------------------

# "verdwijnen" as an escape for an hour, not from life: "ik wil even verdwijnen naar de kroeg".
_SHORT_ESCAPE = _words(
    "even naar weekend weekendje dagje uurtje middagje vakantie kroeg tuin for into to while "
    "hour day week weekend holiday bit moment"
)
_FOREVER = {"voorgoed", "forever", "eeuwig"}
_WISH_BEFORE = _WANT | _words("want wish wished rather only")  # "if only I …"
# Words that may stand between a wish and what is wished for one's self: "ik wil gewoon …",
# "I want to be …".
_LINKING = _words("to be zijn te kunnen could just gewoon maar even echt het er liefst wel zo")
_MOVING = ("verhuis", "emigr", "move", "moving", "verkas")
_SOON = _words("morgen vannacht vanavond straks binnenkort tomorrow tonight soon")


def _forever(words: list[str]) -> bool:
    pairs = set(zip(words, words[1:], strict=False))
    return _has(words, *_FOREVER) or bool(pairs & {("voor", "altijd"), ("for", "good")})


def _first_person_wish(words: list[str], i: int) -> bool:
    """A wish word before `i` about the carer: "ik zou het liefst …", "ik wou dat ik …", "I wish
    I could …"; not "ik wil dat de muizen verdwijnen", "I wish the rash would disappear"."""
    before = words[:i]
    wishes = [k for k, w in enumerate(before) if w in _WISH_BEFORE]
    if not wishes or not _has(before, "ik", "i"):
        return False
    between = before[wishes[-1] + 1 :]
    return _has(between, "ik", "i") or all(w in _LINKING for w in between)


def _passive_death_wish(words: list[str]) -> bool:
    """ "ik zou het liefst verdwijnen", "ik wou dat ik er niet meer was", "wat als ik er morgen
    niet meer ben", "ik wil weg van alles, voorgoed", "I wish I could just disappear". Not the
    carer's worry "als ik er niet meer ben, wie zorgt dan voor hem?": no wish, nothing soon."""
    for v in _positions(words, {"verdwijnen", "disappear", "vanish"}):
        escape = _has(words[v + 1 :], *_SHORT_ESCAPE) or _has(words[:v], "even")
        wish = _first_person_wish(words, v) or (_at(words, v - 1) == "maar" and "ik" in words[:v])
        if wish and (_forever(words) or not escape):
            return True  # "kon ik maar verdwijnen"
    if _forever(words):
        for w in _positions(words, {"weg", "gone", "away", "slapen", "sleep"}):
            rest = [x for x in words[w + 1 :] if x != END and x not in _FOREVER]
            rest = [x for x in rest if x not in {"voor", "altijd", "for", "good", "zijn", "be"}]
            if not _first_person_wish(words, w) and "ik" not in words[:w]:
                continue
            if _starts_with(words, *_MOVING):
                continue  # "I want to move away for good"
            if not rest or rest[:2] in (["van", "alles"], ["from", "everything"]):
                return True
    for g in _positions(words, {"geboren", "born"}):  # "ik wou dat ik nooit geboren was"
        if _has(words[:g], "nooit", "never", "niet", "not") and _first_person_wish(words, g):
            return True
    for g in _positions(words, {"gone"}):  # "I wish I was gone", not "… gone by nine"
        if _clause_ends(words, g + 1) and _first_person_wish(words, g):
            return True
    for n in _positions(words, {"niet", "not"}):
        be = {"ben", "was", "zijn", "zou"}
        being = _at(words, n + 1) == "meer" and (
            _at(words, n + 2) in be or (_clause_ends(words, n + 2) and _has(words[:n], *be))
        )  # "wat als ik er morgen niet meer ben", "misschien ben ik er morgen niet meer"
        here = _at(words, n + 1) in {"here", "alive", "around"}
        if not (being or here) or not _has(words[:n], "ik", "i"):
            continue
        if being and not _has(words[:n], "er", "hier"):
            continue
        # Soon, and for good: not "I'm not here tomorrow, can someone visit her?"
        pairs = set(zip(words, words[1:], strict=False))
        for_good = being or "anymore" in words or bool(pairs & {("what", "if"), ("wat", "als")})
        soon = _has(words[: n + 4], *_SOON) and for_good
        if _first_person_wish(words, n) or soon:
            return True
    return False


# A means named without an everyday purpose: "ik heb een touw gekocht" (with nothing after it)
# counts, "ik heb een touw gekocht voor de waslijn" does not. The crisis screen costs a carer one
# tap back; a missed preparation cannot be undone.
_ROPE = {"touw", "strop", "rope", "noose"}
_GOT = _words(
    "gekocht gehaald besteld geknoopt gemaakt klaargelegd klaar liggen bought got ordered tied"
)
_MEDICINES = (
    "pillen",
    "tabletten",
    "medicijnen",
    "medicatie",
    "pills",
    "tablets",
    "meds",
    "medication",
)
_HOARDING = ("spaar", "sparen", "gespaard", "opgespaard", "hamster", "stockpil", "saving", "hoard")
# Saving that is about an app, points or stamps in the same clause: "kan ik mijn pillen sparen in
# de app", "punten sparen als ik mijn pillen bestel", "saving my pills list in the app".
_SAVING_CONTEXT = _words(
    "app apps applicatie punten punt spaarpunten zegels zegeltjes koopzegels stempels stempel "
    "spaarkaart spaaractie airmiles korting bonus points point stamps stamp loyalty rewards "
    "reward coupons vouchers"
)


def _preparing(words: list[str]) -> bool:
    """Saving up pills ("ik spaar mijn slaappillen op", "om pillen te sparen"), a rope bought
    with no other purpose."""
    # Pills and saving in one clause (not "we sparen zegeltjes, de pillen haalt mijn zus"), or
    # pills and then "ik spaar ze op"; not rationing "tot de apotheek open is", nor points or an
    # app.
    parts = [p.split() for p in " ".join(words).split(END)]
    for k, part in enumerate(parts):
        pills = any(w.endswith(_MEDICINES) for w in part)
        pills |= (
            k > 0
            and _has(part, "ze", "them")
            and any(w.endswith(_MEDICINES) for p in parts[:k] for w in p)
        )
        rationing = _has(part, "tot", "totdat", "until", "till")
        everyday = rationing or _has(part, *_SAVING_CONTEXT)
        if pills and _starts_with(part, *_HOARDING) and not everyday:
            return True
    if any(w in _ROPE for w in words) and _has(words, *_GOT):
        purpose = [k for k, w in enumerate(words) if w in {"voor", "om", "for", "to"}]
        return not purpose or _has(words[purpose[0] :], *_REFLEXIVE, "mij", "me")
    return False


_CRISIS_RULES = (
    _suicide_word,
    _giving_up,
    _holding_out,
    _no_way_forward,
    _wish_to_die,
    _not_wanting_to_live,
    _ending_it,
    _self_harm,
    _english_crisis,
    _passive_death_wish,
    _preparing,
)


# --- abuse rules ---------------------------------------------------------------------------

# Hitting, pushing, kicking, pinching, biting, strangling, in Dutch (with the common d/t slips)
# and English.
_HITTING = _words(
    "sla slaat sloeg sloegen slaan geslagen duw duwt duwde duwden duwen geduwd geduwt schop "
    "schopt schopte schoppen geschopt trapt trapte getrapt knijp knijpt kneep geknepen bijt "
    "gebeten stompt gestompt wurg wurgt wurgde gewurgd grijpt greep hit hits hitting punch "
    "punches punched slap slaps slapped kick kicks kicked push pushes pushed shove shoves "
    "shoved shook shake shakes choke chokes choked strangle strangles strangled beat beats "
    "bites pinch pinches pinched hurt hurts harm"
)
_PARTICIPLES = {"geslagen", "geduwd", "geduwt", "geschopt", "getrapt", "geknepen", "gebeten"}
# A hitting verb with these nearby is about something else: "de schrik sloeg me om het hart",
# "ik duw hem in de rolstoel", "ik knijp er even tussenuit", "it hit me that …".
_NOT_VIOLENCE = _words("hart schrik alarm praatje rolstoel rollator tussenuit wheelchair head hand")
_SEPARABLE = {"over", "om", "dicht", "af", "neer", "toe", "door"}


def _person_after(words: list[str], i: int) -> bool:
    """An object after the verb: "ik sla hem soms", "slaat hij me", "hit my mother"."""
    for k in range(i + 1, min(len(words), i + 4)):
        w = words[k]
        if w in _OBJECT:
            return _at(words, k + 1) not in {"hand", "hair", "haar"}  # not "her hand"
        if w in _POSSESSIVE and _at(words, k + 1) in _KIN:
            return True
        if w not in _FILLERS:
            return False
    return False


def _person_before(words: list[str], i: int) -> bool:
    """An object before the verb: "dat ik hem sla", "hij heeft me geslagen", "mijn moeder
    geslagen" (after a subject, so "mijn vader slaat de deur" does not count)."""
    participle = words[i] in _PARTICIPLES  # "ik heb haar vastgepakt en geduwd"
    for k in range(i - 1, max(-1, i - (7 if participle else 4)), -1):
        w = words[k]
        if w == END and not participle:
            return False
        if w in {"me", "mij", "hem", "him"}:
            return True
        if w in {"haar", "ze"} and (k == i - 1 or participle):
            return True
        if w in _KIN and _at(words, k - 1) in _POSSESSIVE and k - 2 >= 0:
            return words[k - 2] not in (END,)
    return False


def _hitting(words: list[str]) -> bool:
    if _has(words, *_NOT_VIOLENCE):
        return False
    for i in _positions(words, _HITTING):
        if _at(words, i - 1) in {"it", "het", "dat", "dit", "de"}:
            continue  # "it hit me", "het doet …", "de trap"
        if words[i] in _PARTICIPLES and _has(words, "word", "wordt", "werd", "worden"):
            return True  # "ik word geslagen"
        if not (_person_after(words, i) or _person_before(words, i)):
            continue
        end = words.index(END, i) if END in words[i:] else len(words)
        if words[i] in {"sla", "slaat", "sloeg", "slaan"} and words[end - 1] in _SEPARABLE:
            continue  # "ik sla hem over"
        return True
    return False


def _hurting(words: list[str]) -> bool:
    """ "hij doet me pijn", "ik ben bang dat ik haar iets aandoe", "een klap gegeven"."""
    for p in _positions(words, {"pijn"}):
        if _at(words, p - 1) in _OBJECT and _at(words, p - 2) in {"doe", "doet", "deed"}:
            return _at(words, p - 3) not in {"het", "dat", "dit", "wat"}
        if _at(words, p + 1) == "gedaan" and _near(words, p, _OBJECT, 3, 0):
            return True
    if _has(words, "iets", "wat") and _starts_with(words, "aandoe", "aangedaan"):
        return _has(words, *(_OBJECT - {"ze"})) and not _has(words, *_REFLEXIVE)
    if _has(words, "klap", "klappen", "tik") and _has(words, "gegeven", "geef", "geeft", "gaf"):
        return _has(words, *_OBJECT)
    if "keel" in words and _has(words, "grijpt", "greep", "knijpt", "kneep", "pakt", "pakte"):
        return True
    if _has(words, "schud", "schudt", "schudde", "geschud") and "elkaar" in words:
        return _has(words, *_OBJECT)
    return False


def _confining(words: list[str]) -> bool:
    """ "ik sluit hem op", "ik bind haar vast", "I lock him in"."""
    for i in _positions(words, {"sluit", "sloot", "opsluiten", "opgesloten", "lock", "locked"}):
        person = _person_after(words, i) or _person_before(words, i)
        shut_in = words[i].startswith("op") or _has(words[i:], "op", "in", "up")
        if person and shut_in and "slot" not in words:  # not "de voordeur op slot"
            return True
    for i in _positions(words, {"bind", "bindt", "bond", "vastgebonden", "vastbinden", "tie"}):
        if (_person_after(words, i) or _person_before(words, i)) and _has(
            words, "vast", "vastgebonden", "down", "up"
        ):
            return True
    return False


def _named_abuse(words: list[str]) -> bool:
    """The words themselves: mishandeling, geweld, misbruik, ontspoorde mantelzorg, a threat,
    stealing from the naaste, fear of the naaste."""
    if _starts_with(words, "mishandel", "misbruik", "verkracht", "aangerand", "ontspoord"):
        return True
    if _starts_with(words, "geweld", "abuse", "abusive", "violent", "bedreig", "threaten"):
        return True
    if _has(words, "dreigt", "dreigde") and _has(words, "me", "mij"):
        return True
    if _has(words, "steelt", "stal", "gestolen", "jat", "steals", "stealing") and _has(
        words, "geld", "van", "money", "from"
    ):
        return True
    if _starts_with(words, "verwaarloos") and not _has(words, *_REFLEXIVE):
        return True
    if _has(words, "expres", "opzet", "purpose") and _has(words, *_OBJECT):
        # withholding care on purpose: "ik laat hem expres in zijn vieze luier liggen"
        return _has(words, "liggen", "honger", "dorst", "eten", "drinken", "vies", "vieze", "nat")
    for b in _positions(words, {"bang", "afraid", "scared"}):
        if _at(words, b + 1) in {"voor", "van", "of"}:
            target = _at(words, b + 2)
            if target in _OBJECT or (target in _POSSESSIVE and _at(words, b + 3) in _KIN):
                return True
    return False


# Care a naaste depends on, and words that say it is kept back on purpose.
_CARE = _words(
    "eten drinken water luier insuline food drink water insulin meds medicine medication"
)
_ON_PURPOSE = _words(
    "expres express espres opzet opzettelijk purpose deliberately straf punishment"
)
_GIVING = _words("geef geeft gaf gaven geven give gives gave giving withhold withholding onthoud")


def _withholding(words: list[str]) -> bool:
    """Care kept back on purpose: "ik geef haar soms expres haar pillen niet", "I don't give him
    his meds on purpose", not "ik geef haar de pillen bij het eten"."""
    if not _has(words, *_ON_PURPOSE):
        return False
    for k, w in enumerate(words[1:], 1):  # not "… expres in de kast, zodat ze ze niet vergeet"
        if w in {"zodat", "omdat", "want", "als", "wanneer", "so", "because", "when", "if"}:
            words = words[:k]
            break
    care = _has(words, *_CARE) or any(w.endswith(_MEDICINES) for w in words)
    kept_back = _has(words, "niet", "geen", "not", "no", "withhold", "withholding", "onthoud")
    kept_back |= _starts_with(words, "skip", "oversla", "overgesla")
    return care and kept_back and _has(words, *_GIVING, *_OBJECT, "skip", "skipped")


# Name-calling, scolding, humiliating: abuse of the carer by the naaste or the other way round.
_SCOLDING = (
    "scheld",
    "schold",
    "uitscheld",
    "uitgescholden",
    "gescholden",
    "beledig",
    "kleineer",
    "kleinee",
    "verneder",
    "insult",
    "humiliat",
)


def _verbal_abuse(words: list[str]) -> bool:
    """ "ze scheldt me de hele dag uit", "ik word uitgescholden", "hij scheldt op mij",
    "she calls me names", not "hij scheldt op het journaal"."""
    for i, w in enumerate(words):
        if w.startswith(_SCOLDING) and not w.endswith(("ing", "end", "ende")):
            if _at(words, i - 1) in {"het", "dat", "dit", "it"}:
                continue  # "het vernedert hem": a feeling, not someone's act
            passive = w.endswith("scholden") and _has(words, "word", "wordt", "werd", "worden")
            target = _at(words, i + 1) in {"op", "tegen", "at"} and _person_after(words, i + 1)
            # The one scolded: "scheldt me uit", "heeft me uitgescholden"; in "ze scheldt" the
            # "ze" is the one who scolds.
            before = words[max(0, i - 4) : i] if w.endswith("scholden") else words[i - 1 : i]
            person_before = _has(before, "me", "mij", "hem", "him")
            if passive or target or _person_after(words, i) or person_before:
                return True
    for i in _positions(words, {"swears", "swore", "swearing", "curses", "cursing", "yells"}):
        if _at(words, i + 1) == "at" and _person_after(words, i + 1):
            return True
    for i in _positions(words, {"call", "calls", "called", "calling"}):
        if _person_after(words, i) and "names" in words[i + 1 : i + 4]:
            return True
    return False


_ABUSE_RULES = (_hitting, _hurting, _confining, _named_abuse, _withholding, _verbal_abuse)
