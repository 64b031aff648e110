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
        if any(w != END for w in words):
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
    | _words("zitten maken leven wakker worden niet dood een aan mezelf")
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
    if "pillen" in words and (
        _has(words, "opgespaard", "gespaard", "opsparen", "spaar")
        or ("alle" in words and _has(words, "innemen", "nemen", "slikken", "in"))
    ):
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


_ABUSE_RULES = (_hitting, _hurting, _confining, _named_abuse)
