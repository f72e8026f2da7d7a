"""Read raid claims out of English prose: Air Force bulletins, wire reports, news articles.

The parser is rule based and deliberately conservative:

1. The text is split into sentences (blank lines, sentence punctuation, list lines).
2. Counts are found (digits ``1,000``, ``1.2 thousand``, number words ``eleven``, ``two dozen``);
   numbers that belong to dates, clock times, percentages or model names (``X-101``,
   ``Tu-95MS``) are not counts.
3. Each count is tied to the noun phrase after it. The noun phrase gives the kind: ``drone``,
   ``decoy``, ``cruise_missile``, ``ballistic_missile``, ``missile`` (a missile whose type is not
   given, or several types under one number), ``other`` (bombs), ``unknown`` (``strikes``,
   ``aerial targets``, ``missiles and drones`` under one number). Weapon model names are
   resolved with the history model mapping. Interceptors (``anti-drone missiles``, ``Patriot``)
   are not raid weapons and are skipped. A count without a noun (``476 were shot down``) takes the
   kind of the claim's launches when those are of one kind, else ``unknown``.
4. Each count gets a role from the verbs around it: ``launched`` (launched, fired, attacked ...
   with), ``destroyed`` (shot down, destroyed, intercepted, neutralised, "shot down or
   suppressed") or ``lost`` (locationally lost, suppressed by EW, failed to reach). A passive verb
   after the count wins over an active one before it.
5. Counts become claims, one per sentence; a sentence that only gives outcomes joins the claim of
   the sentence before it. A sentence can hold two claims when it repeats a role and kind
   ("539 drones ... surpassing the record of 479 drones").

Every item keeps its matched text and character span. Quantities without a number ("dozens of
drones") and model names that are not in the mapping are listed under ``unclassified``: the
parser reports them, it never guesses a number or a kind.
"""

from __future__ import annotations

import bisect
import calendar
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from airshield.history.models import resolve_model

BULLETIN_KINDS: tuple[str, ...] = (
    "drone",
    "decoy",
    "cruise_missile",
    "ballistic_missile",
    "missile",
    "other",
    "unknown",
)
"""Kinds a bulletin count can have (``missile``: type not given; ``unknown``: not a weapon type)."""

ROLES: tuple[str, ...] = ("launched", "destroyed", "lost")

# ----------------------------------------------------------------------------- lexicon

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
_WEEKDAY_RE = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_NUMW = "|".join(sorted([*_UNITS, "hundred", "thousand", "dozen"], key=len, reverse=True))

_NUMBER_RE = re.compile(
    r"(?<![\w\-/.$€£#])"
    r"(?:(?P<digits>\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3}){1,2}(?![\d,.:])|\d+)(?:\.(?P<dec>\d+))?"
    r"(?:\s*(?P<k>thousand)\b)?"
    r"(?P<plus>-plus\b|-odd\b|\+(?!\d))?"
    r"|(?P<words>\b(?:an?\s+(?=(?:dozen|hundred|thousand)\b))?(?:" + _NUMW + r")"
    r"(?:(?:\s+and\s+|[\s-]+)(?:" + _NUMW + r"))*\b))"
    r"(?![\w/]|-\w|[.,]\d|:\d|\s*%|\s*per\s*cent|\s*percent)",
    re.IGNORECASE,
)
_VAGUE_WORDS = r"dozens|hundreds|scores|thousands|several|many"
_VAGUE_RE = re.compile(
    r"\b(?P<vague>" + _VAGUE_WORDS + r"|a\s+number|a\s+few)"
    r"(?:\s+of)?(?=\s)",
    re.IGNORECASE,
)
_VAGUE_WORDS_RE = re.compile(_VAGUE_WORDS, re.IGNORECASE)
_SINGLE_RE = re.compile(r"\b(?:a|an|single)\b(?=\s)", re.IGNORECASE)
_SINGULAR_OK = frozenset({"drone", "decoy", "cruise_missile", "ballistic_missile", "missile"})
_TIME_RE = re.compile(
    r"\b\d{1,2}[:.]\d{2}\b(?:\s*(?:a\.m\.|p\.m\.|am|pm)\b)?|\b\d{1,2}\s*(?:a\.m\.|p\.m\.|am|pm)\b",
    re.IGNORECASE,
)
_DATE_PATTERNS = (
    # night of 3-4 July 2025 / 3 July / 4th of July
    re.compile(
        r"(?P<night>\b(?:(?:on\s+)?the\s+)?night\s+(?:of|to|into)\s+(?:the\s+)?)?"
        r"\b(?P<d1>\d{1,2})(?:st|nd|rd|th)?(?:\s*(?:-|to)\s*(?P<d2>\d{1,2})(?:st|nd|rd|th)?)?"
        r"(?:\s+of)?\s+(?P<mon>" + _MONTH_RE + r")(?:,?\s+(?P<year>(?:19|20)\d{2}))?\b",
        re.IGNORECASE,
    ),
    # night of July 3-4, 2025 / June 1
    re.compile(
        r"(?P<night>\b(?:(?:on\s+)?the\s+)?night\s+(?:of|to|into)\s+(?:the\s+)?)?"
        r"\b(?P<mon>" + _MONTH_RE + r")\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?"
        r"(?:\s*(?:-|to)\s*(?P<d2>\d{1,2})(?:st|nd|rd|th)?)?(?:,?\s+(?P<year>(?:19|20)\d{2}))?\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<mnum>\d{2})-(?P<d1>\d{2})\b"),
    re.compile(r"\b(?P<d1>\d{1,2})\.(?P<mnum>\d{1,2})\.(?P<year>(?:19|20)\d{2})\b"),
)
_WEEKDAY_DATE_RE = re.compile(
    r"(?P<night>\bovernight\s+(?:on|into|to)\s+|\b(?:on\s+)?the\s+night\s+(?:of|to|into)\s+"
    r"|\b(?:on|into)\s+)?\b(?P<wd>" + _WEEKDAY_RE + r")\b(?P<night2>\s+night)?",
    re.IGNORECASE,
)
_RELATIVE_RE = re.compile(
    r"\b(?P<rel>overnight|last\s+night|tonight|yesterday|today|this\s+morning)\b", re.IGNORECASE
)
_NIGHT_WORD_RE = re.compile(r"\b(?:overnight|night)\b", re.IGNORECASE)
_WINDOW_RE = re.compile(
    r"\b(?:from|since|starting\s+at|beginning\s+at)\s+(?P<start>\d{1,2}[:.]\d{2})"
    r"(?:\s+(?:on\s+)?[^.;]{0,25}?)?"
    r"(?:\s+(?:to|until|till|and)\s+(?P<end>\d{1,2}[:.]\d{2}))?"
    r"|\bbetween\s+(?P<bstart>\d{1,2}[:.]\d{2})\s+and\s+(?P<bend>\d{1,2}[:.]\d{2})"
    r"|\bas\s+of\s+(?P<asof>\d{1,2}[:.]\d{2})",
    re.IGNORECASE,
)

_DOWN_OR_JAMMED = (
    r"(?:shot\s+down|downed|destroyed|intercepted)\s*(?:/|or|and)\s*"
    r"(?:suppressed|jammed|neutrali[sz]ed)"
)
"""One neutralised count, destroyed and lost together ("shot down or suppressed", "downed or
jammed"): a destroyed cue, and a neutralised headline (:data:`_NEUTRALISED_RE`)."""
_ROLE_CUES: tuple[tuple[str, str], ...] = (
    # (role, regex) -- longer phrases first; matches are taken left to right, non-overlapping
    ("destroyed", _DOWN_OR_JAMMED),
    (
        "destroyed",
        r"(?:shot|shooting|brought|taken|took|knocked)\s+down|down(?:ed|ing)"
        r"|(?:knocked|knocking|took|taken|taking)\s+out"
        r"|destroy(?:ed|ing)|intercept(?:ed|ing)|neutrali[sz](?:ed|ing)"
        r"|eliminat(?:ed|ing)|repel(?:led|ling)|repulsed",
    ),
    (
        "lost",
        r"(?:locationally|locally)\s+lost|location(?:ally)?[- ]lost|lost\s+(?:from|off|on)\s+(?:the\s+)?"
        r"(?:radar|location)s?|(?:disappear(?:ed|ing)|vanish(?:ed|ing)|dropp(?:ed|ing))\s+"
        r"(?:from|off)\s+(?:the\s+)?"
        r"radars?|went\s+off\s+(?:the\s+)?radars?|(?:went\s+)?missing\s+from\s+(?:the\s+)?radars?"
        r"|(?:suppressed|jammed)\s+by\s+(?:the\s+)?"
        r"(?:electronic\s+warfare|ew|reb)(?:\s+(?:means|systems?))?"
        r"|(?:did\s+not|didn't|failed\s+to|failing\s+to)\s+reach|suppressed|jammed|lost"
        r"|(?:redirected|diverted)\s+by\s+(?:electronic\s+warfare|ew)",
    ),
    (
        "launched",
        r"launch(?:ed|es|ing)?|fir(?:ed|ing)|sent|unleash(?:ed|es|ing)?|deploy(?:ed|ing)"
        r"|us(?:ed|ing)|involv(?:ed|ing)|compris(?:ed|ing)|consist(?:ed|ing)\s+of"
        r"|(?:attack|raid|strike|barrage|assault|salvo)s?\s+included"
        r"|detected(?:\s+and\s+tracked)?|tracked|recorded|registered",
    ),
)
_ROLE_RE = re.compile(
    "|".join(f"(?P<{role}{i}>\\b(?:{rx})\\b)" for i, (role, rx) in enumerate(_ROLE_CUES)),
    re.IGNORECASE,
)
_RAID_WITH_RE = re.compile(
    r"\b(?:attack(?:ed|s|ing)?|hit(?:ting|s)?|struck|strik(?:e|es|ing)|pummell?(?:ed|ing)"
    r"|pound(?:ed|ing)|batter(?:ed|ing)|bombard(?:ed|ing)|target(?:ed|ing)|assault(?:ed)?"
    r"|barrage|raid|onslaught|wave|shell(?:ed|ing))\b[^.;]{0,90}?\b(?P<with>with)\b"
    r"|\b(?:barrage|wave|swarm|salvo|volley)\s+(?P<of>of)\b"
    r"|\b(?:attack|raid|strike|assault)s?\s+(?P<by>by)\b",  # "repelled an attack by 120 drones"
    re.IGNORECASE,
)
_CONTEXT_RE = re.compile(
    r"\b(?:attack|strike|raid|barrage|assault|launch|shot|air\s+force|air\s+defen[cs]e"
    r"|intercept|destroy|onslaught)",
    re.IGNORECASE,
)

_KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "interceptor",
        re.compile(
            r"\banti[- ](?:drone|shahed|aircraft\s+(?:missile\s+)?systems?|air)|\binterceptors?\b"
            r"|\binterceptor\s+(?:drones?|missiles?)|\bpatriots?\b|\bnasams\b|\biris-t\b"
            r"|\bair[- ]defen[cs]e\s+(?:missiles?|systems?|interceptors?)|\bpac-[23]\b"
            r"|\b(?:weapons?|missile|defen[cs]e)\s+systems?\b",
            re.I,
        ),
    ),
    (
        "decoy",
        re.compile(
            r"\bdecoys?\b|\bimitat(?:or|ion)s?\b|\bsimulat(?:or|ion)s?\b|\bdumm(?:y|ies)\b"
            r"|\bgerberas?\b|\bparodiyas?\b|\bfalse\s+targets?\b",
            re.I,
        ),
    ),
    (
        "drone",
        re.compile(
            r"\bdrones?\b|\buavs?\b|\bunmanned\b|\bshaheds?\b|\bgerans?\b|\bkamikaze\b"
            r"|\bloitering\s+munitions?\b|\bquadcopters?\b|\bfpvs?\b|\bshahed-type\b",
            re.I,
        ),
    ),
    ("cruise_missile", re.compile(r"\bcruise\b", re.I)),
    ("ballistic_missile", re.compile(r"\b(?:aero)?ballistic\b", re.I)),
    ("missile", re.compile(r"\bmissiles?\b|\brockets?\b", re.I)),
    ("other", re.compile(r"\b(?:guided\s+|glide\s+|aerial\s+)?bombs?\b|\bkabs?\b", re.I)),
    (
        "unknown",
        re.compile(
            r"\bstrikes?\b|\b(?:aerial\s+|air\s+)?targets?\b|\bair[- ]attack\s+(?:means|vehicles?"
            r"|weapons?|assets?)\b|\bmeans\s+of\s+(?:air\s+)?attack\b|\b(?:aerial|air)\s+weapons?\b"
            r"|\bprojectiles?\b|\bmunitions?\b|\bweapons?\b|\baerial\s+vehicles?\b",
            re.I,
        ),
    ),
)
_MODEL_TOKEN_RE = re.compile(
    r"\b(?:[A-Z][A-Za-z]*-\d+[A-Za-z0-9]*(?:/[A-Z]*-?\d*[A-Za-z0-9]*)*|Kalibrs?|Kinzhals?|Iskanders?"
    r"(?:-[MK]s?)?|Onyx|Oniks|Zircons?|Tsirkons?|Oreshnik)\b"
)
_STOP_WORDS = frozenset(
    """were was are is be been being have has had in on at from to into over by toward towards
    across that which who while since during per each every targeting targetting aimed against
    overnight including included include includes with after before when where as than until
    said says reported according but also out toward near amid within throughout just hit struck
    reached impacted""".split()
)
_FILLER_RE = re.compile(
    r"^(?:\s|,|\"|'|were|was|are|is|have|has|had|been|being|be|reportedly|successfully|later|also|all"
    r"|reported(?:\s+(?:as|to\s+have\s+been|to\s+be))?|confirmed(?:\s+as)?|likely|probably"
    r"|then|subsequently|either|further|another|in\s+total|in\s+all|of\s+them|of\s+those"
    r"|of\s+these|of\s+which|of\s+the\s+total|others|other|more)*$",
    re.IGNORECASE,
)
_LIST_GAP_RE = re.compile(
    r"^(?:\s*(?:,|and|or|as\s+well\s+as)\s*(?:all\s+|both\s+|the\s+)?#)*[\s\"']*"
    r"(?:(?:were|was|are|have\s+been|had\s+been|has\s+been|all|also"
    r"|reportedly|successfully|then|later|reported(?:\s+as)?|confirmed(?:\s+as)?|likely"
    r"|probably)\s*)*$",
    re.IGNORECASE,
)
_QUALIFIERS: tuple[tuple[str, str], ...] = (
    (
        "more than",
        r"more\s+than|over|upwards\s+of|in\s+excess\s+of|above|exceeding|понад"
        r"|більше\s+ніж|більш\s+ніж",
    ),
    (
        "at least",
        r"at\s+least|no\s+fewer\s+than|no\s+less\s+than|a\s+minimum\s+of|щонайменше"
        r"|не\s+менше\s+(?:ніж\s+)?",
    ),
    ("nearly", r"nearly|almost|close\s+to|just\s+under|just\s+shy\s+of|майже|майже\s+до"),
    (
        "about",
        r"about|around|approximately|roughly|some|an\s+estimated|estimated|circa|~"
        r"|близько|приблизно|орієнтовно",
    ),
    ("up to", r"up\s+to|as\s+many\s+as"),
    ("fewer than", r"fewer\s+than|less\s+than|under|below"),
)
_QUAL_RE = re.compile(
    "(?:" + "|".join(f"(?P<q{i}>\\b(?:{rx}))" for i, (_, rx) in enumerate(_QUALIFIERS)) + r")\s*$",
    re.IGNORECASE,
)
_COMPARISON_RE = re.compile(
    r"\b(?:surpass\w*|exceed(?:ing|ed|s)?\s+the|compared\s+(?:with|to)|up\s+from|down\s+from"
    r"|previous\s+(?:record|high|largest|biggest)|earlier\s+record"
    r"|after\s+(?:a|the)\s+(?:record|previous|largest|biggest)|topping|breaking\s+the\s+record)\b"
    r"|(?<!\w)(?:порівняно\s+з|перевищивши|попередн\w+\s+рекорд\w*)",
    re.IGNORECASE,
)
"""A count given for comparison with an earlier raid ("surpassing the 477 drones of June 29",
"days after a record barrage of 479 drones"): its claim is qualified "comparison"."""
_PLANNED_RE = re.compile(
    r"\b(?:plan(?:s|ned|ning)?\s+to|looking\s+to|look\s+to|intend(?:s|ed|ing)?\s+to"
    r"|aim(?:s|ed|ing)?\s+to|prepar(?:es|ed|ing)\s+to"
    r"|(?:could|may|might|will|would|can)(?:\s+\w+){0,4}?\s+(?:launch|send|fire|use|produce"
    r"|build|reach|strike)|capable\s+of|capacity\s+to|future\s+(?:attacks|strikes|raids)"
    r"|expected\s+to|threaten(?:s|ed)?\s+to|going\s+to\s+(?:launch|send|fire)|planned)\b",
    re.IGNORECASE,
)
_RATE_RE = re.compile(
    r"\b(?P<rate>(?:per|a|each|every)\s+(?:night|day)|nightly|daily)\b", re.IGNORECASE
)
_SAID_RE = re.compile(
    r"\b(?:said|says|say|reported|reports|stated|states|announced|claimed|claims|told|wrote"
    r"|posted)\b"
)
_ACCORDING_RE = re.compile(
    r"\baccording\s+to\s+(?P<src>[^,.;:()\"]{2,80}?)(?=\s*[,.;:()\"]|\s+(?:which|who|that)\b|$)",
    re.IGNORECASE,
)
_SAID_AFTER_RE = re.compile(
    r"(?:,|^)\s*(?:said|says|reported|wrote|posted)\s+(?P<src>(?:the\s+)?[A-Z][^,.;:()\"]{1,80}?)"
    r"(?=\s*[,.;:()\"]|$)"
)
_PLACE_WORD = r"[A-Z][\w'’]*(?:-[A-Z][\w'’]*)*"
_PLACE_RE = (
    r"(?P<place>(?:the\s+)?(?:city\s+of\s+|capital\s+|region\s+of\s+)?"
    + _PLACE_WORD
    + r"(?:\s+(?:"
    + _PLACE_WORD
    + r"|oblast|region|province|city))*)"
)
_PLACES_RE = _PLACE_RE.replace("(?P<place>", "(?P<place>(?:") + (
    r"(?:\s+and\s+(?:the\s+)?"
    + _PLACE_WORD
    + r"(?:\s+(?:"
    + _PLACE_WORD
    + r"|oblast|region|province|city))*)*)"
)
_RAID_VERBS = (
    r"(?:attack(?:ed|s|ing)?|strike|strikes|struck|raid|assault|barrage|launch(?:ed|es|ing)?"
    r"|fir(?:ed|ing)|sent|hit|pummell?ed|pounded|battered|bombarded|shelled|aimed|directed)"
)
_TARGET_RES = (
    re.compile(
        r"main\s+direction\s+of\s+(?:the\s+)?(?:enemy'?s?\s+)?(?:strike|attack)s?['\"]?\s*"
        r"(?:was|were|is|:|-|targeting|targetting|on|at)?\s*(?:aimed\s+at\s+)?"
        r"(?:the\s+)?(?:capital\s+|city\s+of\s+)?" + _PLACES_RE
    ),
    re.compile(
        r"(?:western|eastern|southern|northern|central)?\s*\b"
        + _PLACES_RE
        + r"\s+(?:was|were|being|as)?\s*the\s+main\s+target"
    ),
    re.compile(
        r"\b(?:attacked|attacking|hit|struck|pummell?ed|pounded|battered|bombarded|shelled)\s+"
        + _PLACE_RE
        + r"\s+with\b"
    ),
    re.compile(
        r"\b(?:targeting|targetting|targeted|aimed\s+at)\s+(?:the\s+)?(?:capital\s+|city\s+of\s+"
        r"|region\s+of\s+|western\s+|central\s+|eastern\s+|southern\s+|northern\s+)?" + _PLACES_RE
    ),
    re.compile(
        r"\b" + _RAID_VERBS + r"\b[^.;,]{0,60}?\b(?:on|at|against|towards?)\s+"
        r"(?:the\s+)?(?:capital\s+|city\s+of\s+|region\s+of\s+|western\s+|central\s+"
        r"|eastern\s+|southern\s+|northern\s+)?" + _PLACES_RE
    ),
    # where the counts were: "In Kyiv region, 40 drones were shot down", "... destroyed 40
    # drones over Kyiv" (a regional count: its place, so it is not read as the whole raid's)
    re.compile(r"(?:^|[.;]\s+)(?:In|Over)\s+" + _PLACES_RE + r"\s*,"),
    re.compile(
        r"\b(?:shot\s+down|downed|destroyed|intercepted|neutrali[sz]ed)\b[^.;]{0,60}?\bover\s+"
        r"(?:the\s+)?" + _PLACES_RE
    ),
)
_NOT_PLACES = frozenset(
    {
        *(m.capitalize() for m in _MONTHS),
        *(d.capitalize() for d in _WEEKDAYS),
        "The",
        "A",
        "An",
        "This",
        "That",
        "It",
        "He",
        "She",
        "They",
        "We",
        "I",
        "Russia's",
        "Russian",
        "Ukrainian",
        "American",
        "Iranian",
        "European",
        "NATO",
        "US",
        "U.S.",
        "Moscow's",
        "Kyiv's",
        "Trump",
        "Putin",
        "Zelensky",
        "Zelenskyy",
        "Sunday's",
        "Air",
        "Force",
    }
)
_PERIOD_RE = re.compile(
    r"\b(?:(?:over|in|during|throughout)\s+)?(?:the\s+)?(?:past|last|previous|this|that)\s+"
    r"(?:week|month|year|\d+\s+days|few\s+days|weekend)\b"
    r"|\b(?:over|during|throughout)\s+the\s+(?:week|weekend)\b"
    r"|\b(?:over|in|during|across|within|throughout)\s+(?:the\s+)?(?:(?:past|last|previous)\s+)?"
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|a\s+few)\s+"
    r"(?:days|nights|weeks|months)\b"
    r"|\b(?:in|during|throughout|since)\s+(?:early\s+|late\s+|mid-)?"
    + _MONTH_RE
    + r"(?!\s+\d)(?:\s+(?:19|20)\d{2})?\b"
    # a year or part of one opening the sentence ("In 2025, Russia launched ..."; not "the
    # largest attack in 2025", a comparison)
    r"|^\s*(?:(?:in|during|throughout|since)\s+(?:19|20)\d{2}"
    r"|(?:in|during|over)\s+the\s+(?:first|second|third|fourth|last)\s+(?:half|quarter)"
    r"(?:\s+of\s+(?:the\s+year|(?:19|20)\d{2}))?)\b(?!\s*[-/.:]\d)"
    r"|\b(?:since|from)\s+the\s+(?:start|beginning|outbreak)\s+of\s+(?:the\s+)?"
    r"(?:(?:full[-\s]scale|large[-\s]scale|russian)\s+)?(?:year|month|war|invasion)\b",
    re.IGNORECASE,
)
_QUOTE_RE = re.compile(r"\"([^\"]{2,300})\"")


# ----------------------------------------------------------------------------- result types


@dataclass
class Item:
    """One count found in the text (or one quantity that could not be counted)."""

    role: str | None
    kind: str
    count: int | None
    qualifier: str | None
    noun: str
    text: str
    span: tuple[int, int]
    note: str | None = None
    reference: bool = False  # a total given again ("11 of the 19 missiles")
    breakdown_of: int | None = None  # index (in the claim's items) of the count it breaks down
    opens_breakdown: bool = field(default=False, repr=False)  # first part, in the next sentence
    of_group: bool = field(default=False, repr=False)  # "28 of them": a part of the count before
    every: bool = field(default=False, repr=False)  # "All were shot down": every weapon launched
    the_one: bool = field(default=False, repr=False)  # "The missile was shot down": the only one
    split: bool = field(default=False, repr=False)  # a part of a neutralised count before it
    repeated: bool = field(default=False, repr=False)  # the claim before gives it already
    all_but: int = field(default=0, repr=False)  # "all but 3 were shot down": every one but 3

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "kind": self.kind,
            "count": self.count,
            "qualifier": self.qualifier,
            "noun": self.noun,
            "text": self.text,
            "span": list(self.span),
            **({"note": self.note} if self.note else {}),
            **({"breakdown_of": self.breakdown_of} if self.breakdown_of is not None else {}),
        }


@dataclass
class Claim:
    """A raid claim: counts by role and kind, with when, where and who said it."""

    text: str
    span: tuple[int, int]
    items: list[Item] = field(default_factory=list)
    unclassified: list[dict[str, Any]] = field(default_factory=list)
    date: str | None = None
    date_text: str | None = None
    night: bool = False
    night_of: str | None = None
    window: dict[str, str] | None = None
    target: str | None = None
    source: str | None = None
    quote: str | None = None
    qualifiers: list[str] = field(default_factory=list)
    period: str | None = None
    spans: dict[str, list[int]] = field(default_factory=dict)

    def counts(self, role: str) -> dict[str, int]:
        """Counts of one role keyed by kind, each weapon counted once.

        A count broken down into parts ("214 air attack means: 187 drones and 27 missiles") is
        replaced by its parts, recursively; a part-list that falls short of its total leaves the
        rest under the total's kind ("60 targets: 50 drones and 8 cruise missiles" gives 2
        ``unknown``). Items of one kind add up. :meth:`stated` gives every count as written.
        """
        children: dict[int, list[int]] = {}
        for i, it in enumerate(self.items):
            if it.breakdown_of is not None:
                children.setdefault(it.breakdown_of, []).append(i)
        out: dict[str, int] = {}

        def add(i: int) -> None:
            it = self.items[i]
            if it.count is None:
                return
            kids = children.get(i, [])
            rest = it.count - sum(self.items[k].count or 0 for k in kids)
            for k in kids:
                if self.items[k].role == role:
                    add(k)
            if rest > 0:
                out[it.kind] = out.get(it.kind, 0) + rest

        for i, it in enumerate(self.items):
            # a top count, or a part of another role's count (the lost part of a neutralised
            # headline, :func:`_link_neutralised`)
            parent = it.breakdown_of
            if it.role == role and (parent is None or self.items[parent].role != role):
                add(i)
        return out

    def stated(self, role: str) -> dict[str, int]:
        """Every count of one role as written, keyed by kind (headlines and parts add up)."""
        out: dict[str, int] = {}
        for it in self.items:
            if it.role == role and it.count is not None:
                out[it.kind] = out.get(it.kind, 0) + it.count
        return out

    @property
    def launched(self) -> dict[str, int]:
        return self.counts("launched")

    @property
    def destroyed(self) -> dict[str, int]:
        return self.counts("destroyed")

    @property
    def lost(self) -> dict[str, int]:
        return self.counts("lost")

    @property
    def qualifier(self) -> str | None:
        return ", ".join(self.qualifiers) if self.qualifiers else None

    @property
    def launched_total(self) -> int | None:
        """Best total of weapons launched.

        When no generic count stands unlinked next to typed ones, the per-kind counts are
        disjoint (breakdowns are replaced by their parts) and the total is their sum. Otherwise
        the structure was not read ("550 air attack means" in one sentence, "500 drones" in a
        later one): a generic count (``unknown``) is taken as the total when it is at least the
        sum of the typed counts, and a ``missile`` count to cover the cruise and ballistic ones.
        """
        counts = self.launched
        if not counts:
            return None
        parents = {it.breakdown_of for it in self.items if it.breakdown_of is not None}
        tops = [
            (i, it)
            for i, it in enumerate(self.items)
            if it.role == "launched" and it.count is not None and it.breakdown_of is None
        ]
        for i, it in tops:
            if i in parents or it.kind not in ("unknown", "missile"):
                continue
            scope = _SCOPE[it.kind]
            if any(j != i and other.kind in scope for j, other in tops):
                return _total(counts)  # a generic count beside typed ones, not linked
        return sum(counts.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "span": list(self.span),
            "launched": self.launched,
            "destroyed": self.destroyed,
            "lost": self.lost,
            "launched_total": self.launched_total,
            "date": self.date,
            "date_text": self.date_text,
            "night": self.night,
            "night_of": self.night_of,
            "window": self.window,
            "target": self.target,
            "source": self.source,
            "quote": self.quote,
            "qualifier": self.qualifier,
            "period": self.period,
            "spans": self.spans,
            "items": [it.to_dict() for it in self.items],
            "unclassified": self.unclassified,
        }


def _total(counts: dict[str, int]) -> int | None:
    if not counts:
        return None
    missiles = max(
        counts.get("missile", 0),
        counts.get("cruise_missile", 0) + counts.get("ballistic_missile", 0),
    )
    typed = counts.get("drone", 0) + counts.get("decoy", 0) + counts.get("other", 0) + missiles
    return max(typed, counts.get("unknown", 0))


# ----------------------------------------------------------------------------- text handling

_TRANSLATE = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2012": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u2011": "-",
        "\u2010": "-",
    }
)


def _normalise(text: str) -> str:
    """Same-length copy of the text with plain quotes, dashes and spaces (spans stay valid)."""
    out = text.translate(_TRANSLATE)
    if not out.isascii():  # a symbol bulleting a list line ("🔸 296 БпЛА", "▪️ 7 ракет") is a dash
        out = _BULLET_RE.sub(lambda m: m.group(1) + "-" + " " * (len(m.group(2)) - 1), out)
    if '"' in out:  # a quoted name is part of its noun phrase: 4 ракети «Калібр», "Shahed" drones
        out = _QUOTED_NAME_RE.sub(lambda m: f" {m.group(1)} ", out)
    assert len(out) == len(text)
    return out


_BULLET_RE = re.compile(
    r"(?m)^([ \t]*)([\u2022\u2023\u2043\u25a0-\u25ff\u2600-\u27bf\u2b00-\u2bff\U0001f300-\U0001faff]"
    r"[\ufe0f\u200d]*)"
)
_QUOTED_NAME_RE = re.compile(r"(?<!\w)\"([^\W\d_][\w'/-]{1,23})\"(?!\w)")


_SENT_END_RE = re.compile(
    r"(?<=[.!?])[\"')\]]*\s+(?=[\"(\[]?[A-Z0-9\u0410-\u042f\u0404\u0406\u0407\u0490])"
)  # a sentence starts with a Latin or Ukrainian capital or a digit
_ABBREV_RE = re.compile(
    r"(?:\b(?:U\.S|U\.K|Mr|Mrs|Ms|Dr|Gen|Lt|Col|Sgt|St|No|approx|vs|etc|Jan|Feb|Mar|Apr|Jun|Jul"
    r"|Aug|Sep|Sept|Oct|Nov|Dec|a\.m|p\.m|[A-Z])\.)$"
)


_LABEL_COUNT_END_RE = re.compile(r":\s*\d[\d,]*$")
"""A headline line that ends in its count ("Shot down/suppressed: 718"): list lines after it are
its parts."""


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: split at blank lines, list lines, and sentence-final punctuation."""
    spans: list[tuple[int, int]] = []
    lines = list(re.finditer(r"[^\n]+", text))
    # join soft-wrapped lines: a line continues the previous one unless it starts a list item
    # or the previous line ends a sentence, a heading or a list item
    blocks: list[tuple[int, int]] = []
    in_list = False  # the last block is a headline ending in ":" and its list items so far
    for m in lines:
        s, e = m.span()
        line = m.group()
        if not line.strip():
            continue
        starts_item = bool(re.match(r"\s*(?:[-*•\u2022]|\d+[.)]\s)", line))
        if blocks:
            ps, pe = blocks[-1]
            prev = text[max(ps, pe - 200) : pe].rstrip() or text[ps:pe].rstrip()
            gap = text[pe:s]
            if (
                starts_item
                and gap.count("\n") == 1
                and prev
                and (
                    prev[-1] == ":"
                    or (in_list and prev[-1] not in ".!?")
                    or _LABEL_COUNT_END_RE.search(prev) is not None
                )
            ):
                # "... знешкоджено 271 засіб:\n- 258 БпЛА ...;\n- 8 крилатих ракет;": the
                # items are the headline's parts, read in its sentence
                blocks[-1] = (ps, e)
                in_list = True
                continue
            if (
                gap.count("\n") == 1
                and not starts_item
                and prev
                and prev[-1] not in ".!?:;\"'"
                and line[:1].strip()
                and not line.lstrip()[:1].isupper()
            ) or (gap.count("\n") == 1 and not starts_item and prev and prev[-1] in ",-"):
                blocks[-1] = (ps, e)
                continue
        blocks.append((s, e))
        in_list = False
    for bs, be in blocks:
        start = bs
        for m in _SENT_END_RE.finditer(text, bs, be):
            head = text[max(start, m.start() - 12) : m.start()].rstrip("\"')] ")
            if _ABBREV_RE.search(head):
                continue
            spans.extend(_capped(text, start, m.start()))
            start = m.end()
        spans.extend(_capped(text, start, be))
    return [
        (s + len(text[s:e]) - len(text[s:e].lstrip()), s + len(text[s:e].rstrip()))
        for s, e in spans
        if text[s:e].strip()
    ]


MAX_SENTENCE_CHARS = 1000
"""Longer "sentences" (no real bulletin sentence is) are cut at a space or comma: this bounds the
work per sentence, so the parser's time is linear in the length of its input."""

_CUT_RE = re.compile(r"[\s,;]")


def _capped(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = start + MAX_SENTENCE_CHARS
        window = text[start + MAX_SENTENCE_CHARS // 2 : cut]
        last = max((m.end() for m in _CUT_RE.finditer(window)), default=0)
        if last:
            cut = start + MAX_SENTENCE_CHARS // 2 + last
        out.append((start, cut))
        start = cut
    out.append((start, end))
    return out


def _number_value(m: re.Match[str]) -> int | None:
    if m.group("digits"):
        base = float(
            re.sub(r"[, ]", "", m.group("digits"))
            + (("." + m.group("dec")) if m.group("dec") else "")
        )
        if m.group("k"):
            base *= 1000
        return round(base) if float(base).is_integer() or m.group("k") else None
    words = re.split(r"[\s-]+", m.group("words").lower())
    total, current = 0, 0
    for w in words:
        if w in ("a", "an"):
            current = max(current, 1)
        elif w == "and":
            continue
        elif w in _UNITS:
            current += _UNITS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        elif w == "dozen":
            current = max(current, 1) * 12
        elif w == "thousand":
            total += max(current, 1) * 1000
            current = 0
    return total + current


@dataclass
class _Mention:
    start: int
    end: int  # end of the number
    count: int | None
    vague: str | None
    phrase_end: int
    noun: str
    kind: str | None  # None: no noun; "skip": not a raid weapon
    kinds_mentioned: tuple[str, ...] = ()
    note: str | None = None
    anaphor: bool = False
    of_group: bool = False  # "of them", "of those": refers to all launches, not the last noun
    part_of: bool = False  # N in "N of the M drones"
    reference: bool = False  # M in "N of the M drones": a total given again
    role: str | None = None
    qualifier: str | None = None
    every: bool = False  # "All of them were shot down": the claim's launches, counted later
    the_one: bool = False  # "The missile was shot down": the one launched of its kind
    all_but: int = 0  # "all but 3 were shot down": every one launched but 3


def _part_kind(kinds: set[str]) -> str | None:
    """The one kind of a part of a noun phrase (either language) from the kinds its words name:
    a decoy or a drone before any missile, cruise and ballistic together a missile."""
    if "decoy" in kinds:
        return "decoy"
    if "drone" in kinds:
        return "drone"
    if "ballistic_missile" in kinds and "cruise_missile" in kinds:
        return "missile"
    for k in ("ballistic_missile", "cruise_missile", "missile", "other", "unknown"):
        if k in kinds:
            return k
    return None


def _combined_kind(
    found: list[str], note: str | None
) -> tuple[str, tuple[str, ...], str | None]:  # fmt: skip
    """(kind, kinds mentioned, note) of a noun phrase (either language) whose parts named the
    kinds ``found`` (at least one): one kind is itself; drones with decoys count as drones,
    several missile types as missiles, else ``unknown`` with a note."""
    kinds = tuple(dict.fromkeys(found))
    if len(kinds) == 1:
        return kinds[0], kinds, note
    s = set(kinds)
    if s <= {"drone", "decoy"}:
        return "drone", kinds, "drones and decoys under one number"
    if s <= {"cruise_missile", "ballistic_missile", "missile"}:
        return "missile", kinds, "several missile types under one number"
    if "unknown" in s and len(s - {"unknown"}) == 1:
        return (s - {"unknown"}).pop(), kinds, note
    return "unknown", kinds, "several weapon types under one number"


def _classify_phrase(phrase: str) -> tuple[str | None, tuple[str, ...], str | None]:
    """Kind of a noun phrase: (kind, kinds mentioned, note). ``None`` when it names no weapon."""
    if not phrase.strip():
        return None, (), None
    if _KIND_PATTERNS[0][1].search(phrase):
        return "skip", (), "interceptor, not a raid weapon"
    parts = re.split(r"\s+(?:and|or|as\s+well\s+as|plus)\s+|\s*[/&+]\s*(?=[a-z])", phrase)
    found: list[str] = []
    notes: list[str] = []
    for part in parts:
        kind, note = _classify_part(part)
        if note:
            notes.append(note)
        if kind is not None:
            found.append(kind)
    if not found:
        return ("unknown", (), notes[0]) if notes else (None, (), None)
    return _combined_kind(found, "; ".join(notes) if notes else None)


def _classify_part(part: str) -> tuple[str | None, str | None]:
    kinds = {name for name, rx in _KIND_PATTERNS[1:] if rx.search(part)}
    note = None
    for tok in _MODEL_TOKEN_RE.findall(part):
        mk = resolve_model(tok)
        if not mk.mapped and tok.endswith("s"):
            mk = resolve_model(tok[:-1])  # a plural: "Kalibrs", "Kh-101s" (not "Oniks")
        if mk.mapped and mk.kind in BULLETIN_KINDS:
            kinds.add(mk.kind)
        elif not mk.mapped and re.search(r"\d", tok) and kinds & {"missile", "drone"}:
            note = f"model {tok!r} not in the mapping"
    return _part_kind(kinds), note


_PHRASE_CHUNK_RE = re.compile(r"[^,;:()\[\]\"!?]*")
_FULL_STOP_RE = re.compile(r"\.(?:\s|$)")
_TOKEN_RE = re.compile(r"\S+")


@dataclass(frozen=True)
class _PhraseRules:
    """What ends the noun phrase after a count, per language (see :func:`_scan_phrase`)."""

    stop_words: frozenset[str]
    role_re: re.Pattern[str]
    number_re: re.Pattern[str]
    trailing_re: re.Pattern[str]  # a dangling joiner at the end of the phrase
    max_chars: int
    ends_at_join: Callable[[str, str], bool]  # (joiner or word, next word) -> phrase ends here


def _scan_phrase(s: str, pos: int, end: int, rules: _PhraseRules) -> tuple[int, str]:
    """The noun phrase after a count: up to punctuation, a sentence-final full stop (dots inside
    abbreviations like U.S. kept), a stop word, a role word, a number or 10 words."""
    m = _PHRASE_CHUNK_RE.match(s, pos, min(end, pos + rules.max_chars))
    chunk = m.group() if m else ""
    dot = _FULL_STOP_RE.search(chunk) if "." in chunk else None
    if dot:
        chunk = chunk[: dot.start()]
    words = list(itertools.islice(_TOKEN_RE.finditer(chunk), 12))
    last = 0
    for i, w in enumerate(words):
        token = w.group().lower()
        if (
            i >= 10
            or token in rules.stop_words
            or re.match(r"\d", token)
            or not re.search(r"\w", token)
            or rules.role_re.match(chunk, w.start())
            or (i > 0 and rules.number_re.fullmatch(w.group()))
        ):
            break
        if i + 1 < len(words) and rules.ends_at_join(token, words[i + 1].group()):
            break
        last = w.end()
    phrase = rules.trailing_re.sub("", chunk[:last].rstrip())
    return pos + len(phrase), phrase


_EN_ARTICLES = frozenset({"a", "an", "another", "the", "some", "several", "all", "both"})
_EN_QUALIFIER_STARTS = frozenset(
    "about around approximately roughly nearly almost over more at up upwards close just".split()
)
_EN_OF_PRONOUNS = frozenset({"them", "those", "these", "which", "the", "it"})


def _en_ends_at_join(token: str, nxt: str) -> bool:
    if token not in ("and", "or", "of", "plus"):
        return False
    if re.match(r"\d", nxt) or _NUMBER_RE.fullmatch(nxt) or _VAGUE_WORDS_RE.fullmatch(nxt):
        return True  # "... and 12 missiles", "... and dozens of drones": the next count begins
    low = nxt.lower()
    if token in ("and", "or") and low == "no":
        return True  # "29 drones and no missiles"
    if token != "of" and low in _EN_QUALIFIER_STARTS:
        return True  # "... and around 40 missiles": a qualified count begins
    return low in (_EN_OF_PRONOUNS if token == "of" else _EN_ARTICLES)


_EN_PHRASE = _PhraseRules(
    stop_words=_STOP_WORDS,
    role_re=_ROLE_RE,
    number_re=_NUMBER_RE,
    trailing_re=re.compile(r"\s+(?:and|or|of|plus)$"),
    max_chars=160,
    ends_at_join=_en_ends_at_join,
)


def _noun_phrase(s: str, pos: int, end: int) -> tuple[int, str]:
    """The English noun phrase after a count (:func:`_scan_phrase`)."""
    return _scan_phrase(s, pos, end, _EN_PHRASE)


def _excluded_spans(s: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _TIME_RE.finditer(s)]
    for rx in _DATE_PATTERNS:
        spans += [m.span() for m in rx.finditer(s)]
    return spans


class _Spans:
    """Spans with a logarithmic "is [a, b) inside one of them" query."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self.starts = [a for a, _ in spans]
        self.max_end: list[int] = []
        top = -1
        for _, e in spans:
            top = max(top, e)
            self.max_end.append(top)

    def add(self, a: int, b: int) -> None:
        """Append a span starting at or after every span so far."""
        self.starts.append(a)
        self.max_end.append(max(b, self.max_end[-1] if self.max_end else b))

    def covers(self, a: int, b: int) -> bool:
        i = bisect.bisect_right(self.starts, a)
        return i > 0 and self.max_end[i - 1] >= b


_AMOUNT_RE = re.compile(
    r"(?<!\w)(?:numbering|totall?ing|in\s+the\s+(?:number|amount|quantity)\s+of)\s+"
    r"(?P<num>\d[\d,]*)(?:\s+units?\b)?",
    re.IGNORECASE,
)
_UK_AMOUNT_RE = re.compile(
    r"(?<!\w)(?:у|в)\s+кількості\s+(?P<num>\d[\d\s]*?\d|\d)(?:\s+(?:одиниц\w*|шт\.?))?(?!\w)",
    re.IGNORECASE,
)
"""A count after its noun: "attacked with Shahed-type drones and decoys numbering 147 units",
"атакував ударними БпЛА ... у кількості 174 одиниці"."""
_AMOUNT_CLAUSE_RE = re.compile(r"[.;:!?]|\d")


def _amount_mentions(
    s: str,
    rx: re.Pattern[str],
    classify: Callable[[str], tuple[str | None, tuple[str, ...], str | None]],
) -> list[_Mention]:
    """Counts after their noun (:data:`_AMOUNT_RE`): the kind is that of the words before it,
    back to the clause's start or the last number before it."""
    out: list[_Mention] = []
    for m in rx.finditer(s):
        lo = max(0, m.start() - MAX_PHRASE_BEFORE)
        before = s[lo : m.start()]
        cut = [x.end() for x in _AMOUNT_CLAUSE_RE.finditer(before)]
        phrase = before[cut[-1] if cut else 0 :].strip(" ,")
        kind, kinds, note = classify(phrase)
        value = int(re.sub(r"[\s,]", "", m.group("num")))
        if kind in (None, "skip") or classify(s[m.end() : m.end() + 40])[0] is not None:
            continue  # "numbering 500 drones and 50 missiles": counts with their own nouns
        a, b = m.span("num")
        out.append(_Mention(a, b, value, None, m.end(), phrase, kind, kinds, note))
    return out


MAX_PHRASE_BEFORE = 160
"""How far back the noun of a count after it is looked for (characters)."""


_WERE_RE = re.compile(r"\s+(?:were|was)\s+", re.IGNORECASE)


def _mentions(s: str) -> list[_Mention]:
    excluded = _Spans(_excluded_spans(s))
    out: list[_Mention] = []
    taken = _Spans([])
    amounts = _amount_mentions(s, _AMOUNT_RE, _classify_phrase)
    # "Of them, 9 were Iskander-M ballistic missiles and 55 were Kh-101s": a composition (a
    # breakdown lead, no outcome verb anywhere in the sentence), the noun after "were"
    composition = _BREAKDOWN_LEAD_RE.match(s) is not None and not any(
        role != "launched" for _a, _b, role in _cues(s)
    )
    after_noun = {x.start: x for x in amounts}
    for m in _NUMBER_RE.finditer(s):
        a, b = m.span()
        if excluded.covers(a, b) or (out and a < out[-1].phrase_end):
            continue
        if a in after_noun:
            out.append(after_noun[a])
            taken.add(a, b)
            continue
        value = _number_value(m)
        if value is None:
            continue
        if m.group("words") and m.group("words").lower() in ("a", "an"):
            continue
        mention = _mention_at(s, a, b, value, None)
        if (
            composition
            and mention.phrase_end <= b  # no noun of its own ("Of the missiles, 9 were ...")
            and (were := _WERE_RE.match(s, b)) is not None
        ):
            p_end, phrase = _noun_phrase(s, were.end(), len(s))
            kind, kinds, note = _classify_phrase(phrase)
            if kind not in (None, "skip") and (
                mention.kind is None or kind in _SCOPE.get(mention.kind, frozenset({mention.kind}))
            ):
                mention = replace(
                    mention,
                    kind=kind,
                    kinds_mentioned=kinds,
                    note=note,
                    noun=phrase,
                    phrase_end=p_end,
                    anaphor=False,
                    role="launched",  # what was launched, told apart
                )
        near = s[max(0, a - 24) : a].lower()  # cheap guards for the look-behind patterns below
        share = _SHARE_OF_RE.search(s, max(0, a - 48), a) if "of " in near[-14:] else None
        if share is not None and mention.kind not in (None, "skip"):
            # "about 90 per cent of the 600 drones were neutralised": the total, and a share
            mention.reference = True
            out.append(
                _Mention(
                    share.start(),
                    share.end(),
                    None,
                    share.group("share").lower(),
                    mention.phrase_end,
                    mention.noun,
                    mention.kind,
                    mention.kinds_mentioned,
                )
            )
        if m.group("plus"):  # "400-plus drones", "1,200-odd drones"
            mention.qualifier = "about" if "odd" in m.group("plus").lower() else "more than"
        if (
            mention.kind not in (None, "skip")
            and _TOTAL_LEAD_RE.search(s, max(0, a - 24), a)
            and _COMMA_AFTER_RE.match(s, mention.phrase_end)
        ):
            mention.reference = True  # "Of the 479 drones, 277 were shot down": the total
        out.append(mention)
        taken.add(a, b)
        all_but = ("but" in near or "except" in near) and bool(
            _ALL_BUT_RE.search(s, max(0, a - 24), a)
        )
        if _all_of(s, mention):
            out.append(_every_launched(mention))
            mention.part_of = True  # "all 300 drones launched overnight were shot down"
        elif "none" in near and mention.kind not in (None, "skip") and _NONE_OF_RE.search(near):
            out.append(_every_launched(mention))  # "none of the 4 Iskander missiles": 4 launched
            mention.part_of, mention.count = True, 0
            mention.note = "'none of': zero"
        elif mention.part_of:
            ref = _reference_after(s, mention)
            if ref is not None:
                out.append(ref)
                if all_but and ref.count is not None and mention.count is not None:
                    # "all but 3 of the 40 drones": the rest
                    mention.note = f"all but {mention.count} of the total: the rest"
                    mention.count = max(ref.count - mention.count, 0)
                    all_but = False
        elif mention.kind not in (None, "skip") and not all_but:
            ref = _total_out_of(s, mention)
            if ref is not None:  # "441 targets out of 477"
                mention.part_of = True
                out.append(ref)
        if all_but and mention.anaphor and mention.count is not None and not mention.of_group:
            # "Russia launched 40 drones; all but 3 were shot down": the launches less 3
            mention.every, mention.all_but, mention.count = True, mention.count, 0
        elif all_but:
            mention.note = "all_but"  # "all but 3 drones": the rest of a total not given
    covered = _Spans([(x.start, max(x.phrase_end, x.end)) for x in out])
    for m in _SINGLE_RE.finditer(s):
        a, b = m.span()
        if covered.covers(a, a + 1):
            continue
        mention = _mention_at(s, a, b, 1, None)
        if mention.kind in _SINGULAR_OK and not re.search(
            r"s\b", mention.noun.split()[-1] if mention.noun.split() else "s"
        ):
            out.append(mention)
    out += _both(s, covered, lambda a, b: _mention_at(s, a, b, 2, None))
    out += _every(s, covered)
    out += _definite(s, covered, _DEFINITE_RE, _classify_phrase)
    for m in _VAGUE_RE.finditer(s):
        a, b = m.span()
        if taken.covers(a, a + 1):
            continue
        mention = _mention_at(s, a, b, None, m.group("vague").lower())
        if mention.kind not in (None, "skip", "unknown"):
            out.append(mention)
    out.sort(key=lambda x: x.start)
    return out


_ALL_BEFORE_RE = re.compile(r"(?<![\w-])(?:all|всі|усі|всіх|усіх)\s+(?:the\s+)?$", re.IGNORECASE)
_OF_ALL_RE = re.compile(r"(?<![\w-])(?:of|from|among|with|з|із)\s+\S+\s+$", re.IGNORECASE)


_BOTH_RE = re.compile(r"(?<![\w-])(?:both|обидві|обидва|обох|обидвох)(?=\s)", re.IGNORECASE)


# an outcome verb right after "both" / "all" ("Both were shot down", "Усі вони збиті")
_OUTCOME_NEXT_RE = re.compile(
    r"\s+(?:of\s+(?:them|these|those)\b|(?:were|have\s+been|had\s+been)\s+(?:\w+\s+)?"
    r"(?:shot|downed|destroyed|intercepted|neutrali[sz]ed|jammed|suppressed|lost)\b"
    r"|(?:з\s+них\s+)?(?:було\s+|були\s+)?(?:збит|знищ|перехопл|подавл|знешкодж)\w*)",
    re.IGNORECASE,
)


def _both(s: str, covered: _Spans, mention_at: Callable[[int, int], _Mention]) -> list[_Mention]:
    """ "both missiles were shot down", "обидві ракети збито": two, all of those launched (a
    reference gives the two launched); "both of them", "Both were downed": two, kind from the
    launches. "both drones and missiles" (two kinds) is no count."""
    out: list[_Mention] = []
    for m in _BOTH_RE.finditer(s):
        a, b = m.span()
        if covered.covers(a, a + 1):
            continue
        men = mention_at(a, b)
        if men.anaphor:
            if _OUTCOME_NEXT_RE.match(s, b):  # not "Russia and Ukraine both launched drones"
                out.append(men)
        elif men.kind in _SINGULAR_OK and len(set(men.kinds_mentioned)) <= 1:
            out += [men, _every_launched(men)]
            men.part_of = True
    return out


_EVERY_RE = re.compile(
    r"(?<![\w-])(?:all(?:\s+of\s+(?:them|these|those|which))?|(?:усі|всі)(?:\s+(?:вони|з\s+них))?"
    r"|(?P<most>(?:most|the\s+majority)(?:\s+of\s+(?:them|these|those|which))?|більшість(?:\s+з\s+них)?))"
    r"(?=\s)",
    re.IGNORECASE,
)


def _every(s: str, covered: _Spans) -> list[_Mention]:
    """ "All of them were shot down", "Усі вони збиті": every weapon of the claim's launches, with
    an outcome verb right after (the count is filled from the launches, :func:`_fill_every`)."""
    out: list[_Mention] = []
    for m in _EVERY_RE.finditer(s):
        a, b = m.span()
        if covered.covers(a, a + 1) or _NUMBER_RE.match(s, b + 1) or _UK_NUMBER_RE.match(s, b + 1):
            continue  # "all 7 missiles" is a count of its own
        if not _OUTCOME_NEXT_RE.match(s, b) or "of" in s[b : b + 4].lower():
            continue
        if m.group("most"):  # "Most were shot down", "Більшість збито": no number
            out.append(_Mention(a, b, None, m.group().lower(), b, "", None, anaphor=True))
        else:
            out.append(
                _Mention(a, b, 0, None, b, "", None, anaphor=True, of_group=True, every=True)
            )
    return out


_OUTCOME_PASSIVE = (
    r"(?:shot|downed|destroyed|intercepted|neutrali[sz]ed|jammed|suppressed|lost|taken)\b"
)
_NOT_THE_ONES = (
    r"(?!(?:remaining|rest|other|others|same|last|first|latter|former|majority|bulk|few)\b)"
)
_DEFINITE_RE = re.compile(
    r"(?<![\w-])(?<!of\s)the\s+" + _NOT_THE_ONES + r"(?P<noun>(?:[^\W\d_][\w'-]*\s+){0,2}?"
    r"[^\W\d_][\w'-]*)"
    # "the missile and 61 drones were shot down": the verb after a count joined to it
    r"(?=\s+(?:and\s+\d[\d,]*\s+(?:[^\W\d_][\w'-]*\s+){0,3}?)?"
    r"(?:was|were|had\s+been|have\s+been|has\s+been)\s+(?:also\s+|all\s+|both\s+)?"
    + _OUTCOME_PASSIVE
    + ")"
    # "Ukraine destroyed the missile and 61 drones", "shot down the missiles."
    r"|(?:(?<=destroyed\s)|(?<=shot\sdown\s)|(?<=downed\s)|(?<=intercepted\s))the\s+"
    + _NOT_THE_ONES
    + r"(?P<anoun>(?:[^\W\d_][\w'-]*\s+){0,2}?[^\W\d_][\w'-]*)"
    r"(?=\s*(?:[,.;)]|\band\b|$))",  # a weapon noun: :func:`_definite` classifies it
    re.IGNORECASE,
)
_UK_DEFINITE_RE = re.compile(
    r"(?<![\w-])(?P<noun>(?:(?:крилат|балістичн|керован|авіаційн)\w*\s+){0,2}"
    r"(?P<one>ракету)|(?:(?:крилат|балістичн)\w*\s+)?ракети)"
    r"(?=\s+(?:було\s+|були\s+|також\s+)?(?:збит|знищ|перехопл|подавл|знешкодж)\w*)",
    re.IGNORECASE,
)


def _definite(
    s: str,
    covered: _Spans,
    rx: re.Pattern[str],
    classify: Callable[[str], tuple[str | None, tuple[str, ...], str | None]],
) -> list[_Mention]:
    """ "The missile was shot down", "the missiles were intercepted", "Ракету збито": those
    launched of the noun's kind (the count is filled from the launches, :func:`_fill_every`; a
    singular noun needs exactly one launched)."""
    out: list[_Mention] = []
    for m in rx.finditer(s):
        a, b = m.span()
        if covered.covers(a, b):
            continue
        noun = m.group("noun") or ("anoun" in rx.groupindex and m.group("anoun")) or ""
        kind, kinds, _note = classify(noun)
        if kind not in _SINGULAR_OK or len(set(kinds)) > 1:
            continue
        one = m.group("one") is not None if "one" in rx.groupindex else not m.group().endswith("s")
        out.append(_Mention(a, b, 0, None, b, noun, kind, kinds, every=True, the_one=one))
    return out


_SHARE_OF_RE = re.compile(
    r"(?P<share>\d+(?:[.,]\d+)?\s*(?:%|per\s*cent|percent)|half|a\s+third|a\s+quarter"
    r"|two[- ]thirds|three[- ]quarters|most|the\s+majority|the\s+bulk)"
    r"\s+of\s+(?:all\s+)?(?:the\s+)?$",
    re.IGNORECASE,
)
"""A share of a total ("80% of the 500 drones", "half of the 200"): the total is read, the
share is unread (not a count)."""
_NONE_OF_RE = re.compile(r"\bnone\s+of\s+(?:the\s+)?$", re.IGNORECASE)
_ALL_BUT_RE = re.compile(r"\ball\s+(?:but|except(?:\s+for)?)\s+$", re.IGNORECASE)


def _all_of(s: str, men: _Mention) -> bool:
    """ "destroyed all 7 ballistic missiles": every one launched (not "of all 7", a total)."""
    if men.kind in (None, "skip") or men.part_of or men.reference:
        return False
    head = s[max(0, men.start - 24) : men.start]
    low = head[-12:].lower()
    if not any(word in low for word in ("all", "всі", "усі")):
        return False
    return bool(_ALL_BEFORE_RE.search(head)) and not _OF_ALL_RE.search(head)


def _every_launched(men: _Mention) -> _Mention:
    """The launched total that "all N" gives with its outcome: N again, a reference."""
    return replace(men, reference=True, role=None)


_OF_RE = re.compile(
    r"\s+(?:out\s+)?of\s+(?:(?P<art>the|those|these|its|all\s+the|all)\s+)?", re.IGNORECASE
)
_OF_GROUP_RE = re.compile(r"(?:them|those|these|which|it)\b", re.IGNORECASE)
_OF_AMONG_RE = re.compile(r"\b(?:of|among)\s", re.IGNORECASE)
_TOTAL_LEAD_RE = re.compile(
    r"(?:^|[,;:]\s*)(?:of|among|from)\s+(?:the|these|those|all\s+the|all)?\s*$", re.IGNORECASE
)
_COMMA_AFTER_RE = re.compile(r"\s*,")
_NAMED_BEFORE_RE = re.compile(
    r"\b(?:of|among)\s+(?:the|these|those|its|all)\s+([^,.;:\d]{2,40}?)\s*,?\s*$", re.IGNORECASE
)
_OF_GROUP_BEFORE_RE = re.compile(
    r"\b(?:of|from)\s+(?:them|those|these|which|this|the\s+total)\b[\s,]*$|\btotal\s+of\s*$",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"[^\W\d_]{2,}")


def _mention_at(s: str, a: int, b: int, value: int | None, vague: str | None) -> _Mention:
    pos = b
    # "476 of the 550 drones" / "503 out of 524 drones" / "1,000 of them" / "199 of the drones":
    # the noun comes later, or from the antecedent, or names the part's kind without a total
    ofm = _OF_RE.match(s, pos) if value is not None else None
    if ofm:
        at = ofm.end()
        art = (ofm.group("art") or "").strip().lower()
        num = _NUMBER_RE.match(s, at)
        num_value = _number_value(num) if num else None
        if num and num_value is not None and num.group().lower() not in ("a", "an"):
            p_end, phrase = _noun_phrase(s, num.end(), len(s))
            kind, kinds, note = _classify_phrase(phrase)
            # the second number repeats a total: the mention runs to its noun's end
            return _Mention(
                a,
                b,
                value,
                vague,
                max(p_end, num.end()),
                phrase,
                kind,
                kinds,
                note,
                anaphor=kind is None,
                of_group=kind is None,
                part_of=True,
            )
        if _OF_GROUP_RE.match(s, at) or (art in ("those", "these") and not _WORD_RE.match(s, at)):
            return _Mention(a, b, value, vague, b, "", None, anaphor=True, of_group=True)
        if art:
            p_end, phrase = _noun_phrase(s, at, len(s))
            kind, kinds, note = _classify_phrase(phrase)
            if kind is None and art in ("those", "these"):
                return _Mention(a, b, value, vague, b, "", None, anaphor=True, of_group=True)
            if kind is not None:
                # a part of a total that is not repeated: its kind is the named one
                return _Mention(a, b, value, vague, p_end, phrase, kind, kinds, note)
    p_end, phrase = _noun_phrase(s, pos, len(s))
    kind, kinds, note = _classify_phrase(phrase)
    if kind is None:
        # a bare count keeps the whitespace after it as its phrase end
        head = s[max(0, a - 60) : a]
        # "Of the drones, 181 were shot down": the noun is named just before
        named = _NAMED_BEFORE_RE.search(head) if _OF_AMONG_RE.search(head) else None
        if named:
            n_kind, n_kinds, n_note = _classify_phrase(named.group(1))
            if n_kind not in (None, "skip"):
                return _Mention(a, b, value, vague, b, named.group(1), n_kind, n_kinds, n_note)
        of_group = bool(_OF_GROUP_BEFORE_RE.search(head[-30:]))
        return _Mention(a, b, value, vague, b, phrase, None, anaphor=True, of_group=of_group)
    return _Mention(a, b, value, vague, p_end, phrase, kind, kinds, note)


def _reference_after(s: str, part: _Mention) -> _Mention | None:
    """The M of "N of the M drones" as its own mention (a total given again)."""
    m = _OF_RE.match(s, part.end)
    if not m:
        return None
    start = m.end()
    num = _NUMBER_RE.match(s, start)
    if not num:
        return None
    value = _number_value(num)
    if value is None:
        return None
    return _Mention(
        start,
        num.end(),
        value,
        None,
        part.phrase_end,
        part.noun,
        part.kind,
        part.kinds_mentioned,
        part.note,
        anaphor=part.kind is None,
        reference=True,
    )


_OUT_OF_RE = re.compile(r"\s+out\s+of\s+(?:the\s+)?", re.IGNORECASE)


def _total_out_of(s: str, part: _Mention) -> _Mention | None:
    """The M of "N drones out of M (drones)" as its own mention: the total given again."""
    m = _OUT_OF_RE.match(s, part.phrase_end)
    num = _NUMBER_RE.match(s, m.end()) if m else None
    value = _number_value(num) if num else None
    if num is None or value is None:
        return None
    end, phrase = _noun_phrase(s, num.end(), len(s))
    if phrase.strip():
        if _classify_phrase(phrase)[0] != part.kind:
            return None  # "30 drones out of 40 missiles": not one total
    else:
        end = num.end()
    return _Mention(num.start(), num.end(), value, None, end, part.noun, part.kind,
                    part.kinds_mentioned, part.note, reference=True)  # fmt: skip


_AUX_RE = re.compile(r"\b(?:were|was|are|is|been)\b", re.IGNORECASE)
_BARE_GAP_RE = re.compile(
    r"[\s\"']*:?[\s\"']*(?:a\s+total\s+of|a\s+further|another|only|all)?\s*", re.IGNORECASE
)
_BARE_TOTAL_RE = re.compile(r"[^.;]*?\b(?:a\s+total\s+of)\s*", re.IGNORECASE)
MAX_LIST = 40
"""Longest list of counts between a count and its verb ("40, 30 and 20 drones were ...")."""


_RECORDED_CUE_RE = re.compile(r"recorded|registered|зафіксова\w*", re.IGNORECASE)
_HIT_WORD_RE = re.compile(
    r"\b(?:hits?|impacts?|debris|fell|falling|locations?)\b|влучан\w*|падінн\w*|уламк\w*"
    r"|локаці(?:ї|ях|я)\b",
    re.IGNORECASE,
)


_HIT_VERB_RE = re.compile(
    r"\s*(?:(?:more|others?)\s+)?(?:(?:have|had|has|were\s+able\s+to|managed\s+to)\s+)?"
    r"(?:hit|hitting|struck|striking|reached|reaching|impacted)\b"
    # the weapon as the subject of an active verb with an object: "Two drones destroyed a
    # warehouse", "a drone damaged the power station" (not "61 drones destroyed by air defence")
    r"|\s*(?:destroyed|damaged)\s+(?:a|an|the|several|some|two|three|four|five|\d[\d,]*)\s+"
    r"(?!(?:night|day|evening|morning|week|previous|same)\b)"
    r"|\s*(?:влучил\w*|уразил\w*|досягл\w*\s+ціл\w*)",
    re.IGNORECASE,
)


_HIT_NOUN_BEFORE_RE = re.compile(
    r"\b(?:hits?|impacts?)\s+(?:by|of|from)\s+$|влучанн?\w*\s+(?:\w+\s+(?:та|і|й)\s+)?$",
    re.IGNORECASE,
)
"""A hit noun right before a count ("hits by 33 attack UAVs", "влучання 23 ударних БпЛА")."""
_HIT_LIST_JOIN_RE = re.compile(r"\s+(?:and|та|і|й)\s+", re.IGNORECASE)


def _hits(s: str, men: _Mention) -> bool:
    """Whether the count's own verb is a hit ("4 hit their targets", "9 missiles struck"): such a
    count is no launched, destroyed or lost count, whatever verb came before it."""
    return bool(_HIT_VERB_RE.match(s, men.end) or _HIT_VERB_RE.match(s, men.phrase_end))


def _cues(s: str, uk: bool = False) -> list[tuple[int, int, str]]:
    hits = bool(_HIT_WORD_RE.search(s))
    cues: list[tuple[int, int, str]] = []
    for m in (_UK_ROLE_RE if uk else _ROLE_RE).finditer(s):
        role = re.sub(r"\d+$", "", m.lastgroup or "")
        if hits and _RECORDED_CUE_RE.fullmatch(m.group()):
            continue  # "hits by 9 missiles were recorded": hits, not launches
        cues.append((m.start(), m.end(), role))
    if not uk:
        for m in _RAID_WITH_RE.finditer(s):
            g = "with" if m.group("with") else "of" if m.group("of") else "by"
            cues.append((m.start(g), m.end(g), "launched"))
    cues.sort()
    return cues


_ING_RE = re.compile(r"\w+ing\b", re.IGNORECASE)
"""An -ing verb ("downing", "shooting down"): after a comma it opens a clause of its own."""
_UNREAD_REASONS = {
    "negated": "a negated verb: not launched, destroyed or lost",
    "hit": "a hit or impact: not launched, destroyed or lost",
    "all_but": "'all but N': the count is the rest of a total the text does not give",
    "airborne": "still in the air: no outcome yet",
    "returned": "flew back: not destroyed or lost",
}
_RETURNED_RE = re.compile(
    r"(?:\s+[^\W\d_][\w'-]*){0,3}?"  # after the number and at most a short noun phrase
    r"(?:\s*(?:(?:have|had|has)\s+)?(?:returned|flew\s+back|turned\s+back)\s+(?:to|towards?|into)\s+"
    r"(?:russia|belarus|the\s+russian|russian|occupied)"
    r"|\s*[-–]?\s*(?:повернул\w*|полетіл\w*\s+назад)\s+(?:в\s+бік|на|до|у\s+бік)\s+"
    r"(?:рф|росі\w*|білорус\w*|тимчасово\s+окупован\w*))",
    re.IGNORECASE,
)
"""A count that flew back ("5 returned to Russia", "5 – повернулися в бік РФ"): no outcome."""
_AIRBORNE_RE = re.compile(
    r"\s*(?:(?:are|were|is|was)\s+still|(?:are|were|is|was)\s+)?(?:remain(?:s|ed)?|still)\s+"
    r"(?:in\s+the\s+air|airborne)\b"
    r"|\s*-?\s*(?:ще\s+)?(?:у|в)\s+повітрі(?!\w)",
    re.IGNORECASE,
)
_NEGATION_RE = re.compile(
    r"\b(?:not|never|no\s+longer|unable\s+to|failed\s+to|fail\s+to)\b|n't\b", re.IGNORECASE
)
_UK_NEGATION_RE = re.compile(r"(?<!\w)(?:не|ні)(?!\w)", re.IGNORECASE)


_CLAUSE_END_RE = re.compile(r"[,;:()]|\b(?:but|and|while|whereas|але|та|і|а)\b", re.IGNORECASE)


def _negated_after(s: str, men: _Mention, uk: bool) -> bool:
    """Whether the count's own words and clause negate its verb ("but 5 missiles could not be
    stopped", "але 5 ракет не вдалося збити"): then an active verb earlier in the sentence ("shot
    down 20 drones, but ...") is not this count's."""
    clause = _CLAUSE_END_RE.split(s[men.phrase_end : men.phrase_end + 30], maxsplit=1)[0]
    return _negated(s[men.end : men.phrase_end] + clause, 0, None, uk)


def _negated(s: str, lo: int, hi: int | None, uk: bool) -> bool:
    """Whether ``s[lo:hi]`` (the words between a count and its verb, or just before an active
    verb) negates the verb: "could not be intercepted", "failed to shoot down", "не вдалося
    збити". Such a count is not read (it is no destroyed, lost or launched count)."""
    return bool((_UK_NEGATION_RE if uk else _NEGATION_RE).search(s[max(0, lo) : hi]))


_LIST_SEP_RE = re.compile(
    r"\s*[,;]?\s*(?:\n\s*[-*]\s*)?"  # a bullet line ("\n- 296 Shahed UAVs\n- 422 drones")
    r"(?:(?:and|as\s+well\s+as|та|і|й|а\s+також)\s+)?(?:(?:all|both|всі|усі)\s+)?",
    re.I,
)


def _cue_before(cues: list[tuple[int, int, str]], cue_starts: list[int], pos: int) -> int:
    """Index of the last cue that ends at or before ``pos`` (-1: none)."""
    k = bisect.bisect_left(cue_starts, pos) - 1
    while k >= 0 and cues[k][1] > pos:
        k -= 1
    return k


def _active_outcome_before(
    s: str, cues: list[tuple[int, int, str]], cue_starts: list[int], men: _Mention
) -> bool:
    """Whether a destroyed or lost verb stands right before the count in its clause ("downed
    all 48 drones launched overnight"): that verb, not the participle after it, is the count's."""
    k = _cue_before(cues, cue_starts, men.start)
    if k < 0:
        return False
    _ca, cb, role = cues[k]
    gap = s[cb : men.start]
    return role in ("destroyed", "lost") and len(gap) <= 40 and not re.search(r"[.;,]", gap)


_ASIDE_END_RE = re.compile(r" - \s*(?:,\s*)?(?:(?:and|as\s+well\s+as|та|і|й)\s+)?")
"""The end of a dashed aside right before a count ("... - 296 were shot down ... - and 7")."""


_AND_JOIN_RE = re.compile(r"\s*,?\s*(?:and|та|і|й)\s+", re.IGNORECASE)


def _right_after_cue(
    s: str,
    cues: list[tuple[int, int, str]],
    cue_starts: list[int],
    mentions: list[_Mention],
    i: int,
    bare_gap: re.Pattern[str],
) -> bool:
    """Whether count ``i`` follows its verb directly ("Збито 296 БпЛА, 40 локаційно втрачені"), or
    is joined by "and" to a count that does ("launched 30 drones and 3 missiles, 20 drones and 2
    missiles were shot down"): then a verb after a list it seems to open is not its own."""
    for _ in range(MAX_LIST + 1):  # a list is at most this long: linear on any input
        start = mentions[i].start
        if _cue_right_before(s, cues, cue_starts, start, bare_gap) >= 0:
            return True
        if i == 0 or not _AND_JOIN_RE.fullmatch(s, mentions[i - 1].phrase_end, start):
            return False
        i -= 1
    return False


def _cue_right_before(
    s: str,
    cues: list[tuple[int, int, str]],
    cue_starts: list[int],
    pos: int,
    bare_gap: re.Pattern[str],
) -> int:
    """Index of the cue that ends right before ``pos`` (only ``bare_gap`` between), or -1. The
    gap is matched in place (``fullmatch`` with bounds), never copied: it may be long."""
    before = _cue_before(cues, cue_starts, pos)
    if before >= 0 and bare_gap.fullmatch(s, cues[before][1], pos) is not None:
        return before
    return -1


def _verbs_on_both_sides(
    s: str,
    mentions: list[_Mention],
    i: int,
    cues: list[tuple[int, int, str]],
    cue_starts: list[int],
    k: int,
    bare_gap: re.Pattern[str],
) -> bool:
    """ "Збито 83, локаційно втрачено 31", "shot down 83, lost 31", "Противник запустив 40
    ударних БпЛА, збито 30": a count right after its verb, and the verb after it governs the
    next count, right after that verb (a bare count when this one is bare), so it is not this
    count's."""
    men = mentions[i]
    if i + 1 >= len(mentions):
        return False
    before = _cue_right_before(s, cues, cue_starts, men.start, bare_gap)
    if before < 0 or before == k:
        return False
    nxt = mentions[i + 1]
    return bool((nxt.anaphor or not men.anaphor) and bare_gap.fullmatch(s, cues[k][1], nxt.start))


def _headline_cue(
    s: str, cues: list[tuple[int, int, str]], k: int, passive: set[int], men: _Mention
) -> int:
    """The cue a count without a verb of its own takes (``k``: the last cue before it). In a
    part-list after a headline ("збито/подавлено 478 ...: 268 БпЛА збито, 208 – локаційно
    втрачені, 2 крилаті ракети") the verbs after the earlier parts are theirs: such a count is
    a part of the headline and takes the headline's destroyed or lost verb before the colon
    (a verb in a closed parenthesis, "(подавлені засобами РЕБ)", glosses the part before it).
    A dashed aside counts as such a list too: in "neutralised 402 drones - 170 were shot down and
    232 were lost - and four Kh-101 missiles" the missiles take "neutralised"."""

    def in_parens(j: int) -> bool:
        ca, cb, _role = cues[j]
        return s.rfind("(", 0, ca) > s.rfind(")", 0, ca) and 0 <= s.find(")", cb, men.start)

    def theirs(j: int) -> bool:
        return j in passive or in_parens(j)

    if k < 0 or not theirs(k):
        return k
    colon = s.rfind(":", 0, men.start)
    close = s.rfind(" - ", 0, men.start)  # "neutralised 718 drones - 296 were shot down and
    if close > 0 and _ASIDE_END_RE.fullmatch(s, close, men.start):  # 422 lost - and 7 missiles"
        colon = max(colon, s.rfind(" - ", 0, close))
    j = k
    while j >= 0 and theirs(j):
        j -= 1
    if colon >= 0 and j >= 0 and cues[j][1] <= colon and cues[j][2] in ("destroyed", "lost"):
        return j
    return -1 if in_parens(k) else k  # a gloss is its own count's only


def _assign_roles(s: str, mentions: list[_Mention], uk: bool = False) -> None:
    cues = _cues(s, uk)
    cue_starts = [c[0] for c in cues]
    starts = [x.start for x in mentions]
    filler, list_gap, aux = (
        (_UK_FILLER_RE, _UK_LIST_GAP_RE, _UK_AUX_RE) if uk else (_FILLER_RE, _LIST_GAP_RE, _AUX_RE)
    )
    bare_gap = _UK_BARE_GAP_RE if uk else _BARE_GAP_RE
    passive: set[int] = set()  # cues taken by the count before them ("268 БпЛА збито")
    hit = [_hits(s, men) for men in mentions]
    for i in range(len(mentions) - 2, -1, -1):  # "9 missiles and 56 drones hit": the whole list
        gap = s[mentions[i].phrase_end : mentions[i + 1].start]
        hit[i] = hit[i] or (hit[i + 1] and _HIT_LIST_JOIN_RE.fullmatch(gap) is not None)
    hit_noun = False  # "влучання 1 балістичної ракети та 40 ударних БпЛА": the whole list
    for i, men in enumerate(mentions):
        gap = s[mentions[i - 1].phrase_end : men.start] if i else ""
        hit_noun = bool(_HIT_NOUN_BEFORE_RE.search(s, max(0, men.start - 40), men.start)) or (
            hit_noun and _HIT_LIST_JOIN_RE.fullmatch(gap) is not None
        )
        hit[i] = hit[i] or hit_noun
    for i, men in enumerate(mentions):
        if men.note == "all_but":
            continue  # unread (:data:`_UNREAD_REASONS`)
        if _AIRBORNE_RE.match(s, men.phrase_end):
            men.note = "airborne"  # "3 more UAVs are still in the air", "ще 3 - у повітрі"
            continue
        if _RETURNED_RE.match(s, men.end):
            men.note = "returned"  # "5 returned to Russia", "5 – повернулися в бік РФ"
            continue
        if hit[i]:
            men.note = "hit"  # "50 were shot down, 31 were lost and 4 hit their targets"
            continue
        if men.reference and men.part_of is False and i > 0 and mentions[i - 1].part_of:
            # the total of the part before it ("32 з 518 дронів та 26 з 30 ракет; 134 дронів
            # локаційно втрачені"): launched, never the verb after a list it sits in
            men.role = "launched"
            continue
        # 1. a passive cue after the phrase ("476 were shot down", "539 drones launched")
        k = bisect.bisect_left(cue_starts, men.phrase_end)
        if k < len(cues) and "," in s[men.phrase_end : cues[k][0]] and _ING_RE.match(s, cues[k][0]):
            k = len(cues)  # "an attack by 120 drones, downing 98 of them": a clause of its own
        if k < len(cues):
            ca, cb1, role = cues[k]
            gap = s[men.phrase_end : ca]
            if role != "launched" and _GLOSS_RE.fullmatch(gap) and _GLOSS_END_RE.match(s, cb1):
                men.role = role  # "415 imitator drones (locationally lost)": the part's own verb
                passive.add(k)
                continue
            if filler.match(gap) and _negated(s, men.end, ca, uk):
                men.note = "negated"  # "2 missiles could not be intercepted"
                continue
            lo = bisect.bisect_left(starts, men.phrase_end, i + 1)
            hi = bisect.bisect_left(starts, ca, lo)
            later = mentions[lo:hi]
            if men.part_of and not aux.search(gap) and role != "launched":
                if not later and filler.match(gap):
                    men.role = role  # "89 of 112 drones shot down/suppressed": the part's
                    passive.add(k)
            elif men.part_of and not aux.search(gap):
                # "33 of 40 drones launched": the participle is the total's; the part's own verb
                # may follow it ("93 of the 112 drones launched overnight were neutralised")
                if k + 1 < len(cues) and not later:
                    ca2, _cb2, role2 = cues[k + 1]
                    gap2 = _RELATIVE_RE.sub(" ", s[cb1:ca2])  # "launched overnight were"
                    between = bisect.bisect_left(starts, ca2, i + 1) - bisect.bisect_left(
                        starts, cb1, i + 1
                    )
                    if (
                        between == 0
                        and aux.search(gap2)
                        and filler.match(gap2)
                        and not _negated(s, cb1, ca2, uk)
                    ):
                        men.role = role2
                        passive.add(k + 1)
            elif men.reference and (aux.search(gap) or k in passive):
                pass  # "seven of the 13 missiles were shot down": the verb is the part's
            elif not later:
                if (
                    filler.match(gap)
                    and not (
                        role == "launched"
                        and not aux.search(gap)
                        and _active_outcome_before(s, cues, cue_starts, men)
                    )
                    and not _verbs_on_both_sides(s, mentions, i, cues, cue_starts, k, bare_gap)
                ):
                    men.role = role
                    passive.add(k)
            elif len(later) <= MAX_LIST and not _right_after_cue(
                s, cues, cue_starts, mentions, i, bare_gap
            ):
                masked = gap
                for x in reversed(later):
                    masked = (
                        masked[: x.start - men.phrase_end]
                        + "#"
                        + masked[x.phrase_end - men.phrase_end :]
                    )
                if list_gap.match(masked):
                    men.role = role
                    passive.add(k)
        if men.role is not None:
            continue
        if men.reference:
            men.role = "launched"
            continue
        # 2. an active cue before the count, in the same sentence
        k = _headline_cue(s, cues, _cue_before(cues, cue_starts, men.start), passive, men)
        if k >= 0:
            ca, cb, role = cues[k]
            gap = s[cb : men.start]
            if _negated(s, ca - 24, ca, uk) or _negated_after(s, men, uk):
                men.note = "negated"  # "failed to intercept 4 missiles", "не вдалося збити 2"
                continue
            if men.anaphor:
                # a bare count needs its verb right before it: "shot down 476"
                if bare_gap.fullmatch(gap) or (not uk and _BARE_TOTAL_RE.fullmatch(gap[-200:])):
                    men.role = role
            else:
                men.role = role
        if men.role is None and men.anaphor and i > 0 and men.note is None:
            # a gapped verb: "40 drones were shot down; in Odesa region, 25 more.", "... збито
            # 40 БпЛА, на Одещині - ще 25."
            prior = mentions[i - 1]
            gapped = (
                s[: men.start].endswith("ще ") and _CLAUSE_STOP_RE.match(s, men.end)
                if uk
                else _GAPPED_RE.match(s, men.end)
            )
            if gapped and prior.role is not None and prior.note is None:
                men.role = prior.role
        # 3. a qualifier right before the count
    for men in mentions:
        head = s[max(0, men.start - 40) : men.start]
        tail = head.rstrip()
        q = _QUAL_RE.search(head) if tail and (tail[-1].isalpha() or tail[-1] == "~") else None
        if q:
            idx = int((q.lastgroup or "q0")[1:])
            men.qualifier = _QUALIFIERS[idx][0]


_GLOSS_RE = re.compile(r"\s*\(\s*(?:were|was|були|було)?\s*")
_GLOSS_END_RE = re.compile(r"[^()\d.;]{0,40}\)")
"""A verb in parentheses right after a count's noun phrase ("415 decoys (locationally lost)",
"415 імітаторів (локаційно втрачені)"): the count's own outcome."""
_CLAUSE_STOP_RE = re.compile(r"\s*(?:[.;)]|$)")
_GAPPED_RE = re.compile(r"\s+more\s*(?:[.;)]|$)", re.IGNORECASE)
"""A count with its verb gapped: "..., 25 more." (after the count), "... - ще 25." (Ukrainian)."""


def _resolve_date(sent: str, ref: date | None) -> tuple[str | None, str | None, bool, str | None]:
    """(date ISO or '--MM-DD', matched text, night?, evening date of the night)."""
    best: tuple[int, re.Match[str]] | None = None
    for rx in _DATE_PATTERNS:
        for m in rx.finditer(sent):
            if best is None or m.start() < best[0]:
                best = (m.start(), m)
            break
    if best is not None:
        m = best[1]
        gd = m.groupdict()
        month = int(gd["mnum"]) if gd.get("mnum") else _MONTHS[gd["mon"].lower().rstrip(".")]
        d1 = int(gd["d1"])
        d2 = int(gd["d2"]) if gd.get("d2") else None
        year = int(gd["year"]) if gd.get("year") else None
        night = bool(gd.get("night")) or d2 is not None or bool(_NIGHT_WORD_RE.search(sent))
        day = d2 if d2 is not None else d1
        if year is None and ref is not None:
            year = ref.year if (month, day) <= (ref.month, ref.day + 1) else ref.year - 1
        text = m.group().strip()
        try:
            if year is None:
                date(2024, month, day)  # validates day-of-month (leap year allows 29 Feb)
                iso = f"--{month:02d}-{day:02d}"
                night_of = None
                if d2 is not None and d1 <= d2:
                    night_of = f"--{month:02d}-{d1:02d}"
                elif night and (month, day) != (3, 1):
                    eve = date(2023, month, day) - timedelta(days=1)
                    night_of = f"--{eve.month:02d}-{eve.day:02d}"
                return iso, text, night, night_of
            when = date(year, month, day)
        except ValueError:
            return None, text, night, None
        night_of_d = (when - timedelta(days=1)) if night else None
        if d2 is not None:
            night_of_d = date(year, month, d1) if d1 <= d2 else when - timedelta(days=1)
        # "night of 4 July" in Air Force usage means the night that ends on 4 July
        return when.isoformat(), text, night, night_of_d.isoformat() if night_of_d else None
    wm = _WEEKDAY_DATE_RE.search(sent)
    if wm:
        text = wm.group().strip()
        night = (
            bool(wm.group("night") and "night" in wm.group("night").lower())
            or bool(wm.group("night2"))
            or bool(wm.group("night") and "overnight" in wm.group("night"))
        )
        if ref is None:
            return None, text, night, None
        target_wd = _WEEKDAYS[wm.group("wd").lower()]
        when = ref - timedelta(days=(ref.weekday() - target_wd) % 7)
        night_of_d = when - timedelta(days=1) if night else None
        return when.isoformat(), text, night, night_of_d.isoformat() if night_of_d else None
    rm = _RELATIVE_RE.search(sent)
    if rm:
        rel = rm.group("rel").lower()
        night = "night" in rel
        if ref is None:
            return None, rm.group(), night, None
        if rel == "yesterday":
            when = ref - timedelta(days=1)
        elif rel == "tonight":
            when = ref + timedelta(days=1)
            night = True
        else:
            when = ref
        night_of_d = when - timedelta(days=1) if night else None
        return when.isoformat(), rm.group(), night, night_of_d.isoformat() if night_of_d else None
    return None, None, False, None


def _window(sent: str) -> dict[str, str] | None:
    m = _WINDOW_RE.search(sent)
    if not m:
        return None
    gd = {k: v.replace(".", ":") for k, v in m.groupdict().items() if v}
    out: dict[str, str] = {}
    if "start" in gd:
        out["start"] = gd["start"]
    if "end" in gd:
        out["end"] = gd["end"]
    if "bstart" in gd:
        out["start"], out["end"] = gd["bstart"], gd["bend"]
    if "asof" in gd:
        out["as_of"] = gd["asof"]
    return out or None


def _targets(sent: str) -> str | None:
    found: list[str] = []
    for rx in _TARGET_RES:
        for m in rx.finditer(sent):
            place = re.sub(r"^(?:the\s+)", "", m.group("place")).strip()
            first = place.split()[0] if place else ""
            if not place or first in _NOT_PLACES or first.rstrip("'s") in _NOT_PLACES:
                continue
            place = re.sub(r"'s$", "", place)
            if place not in found:
                found.append(place)
        if found and rx in _TARGET_RES[:2]:
            break
    return " and ".join(found) if found else None


def _source(sent: str) -> str | None:
    m = _ACCORDING_RE.search(sent)
    if m:
        return m.group("src").strip()
    m = _SAID_AFTER_RE.search(sent)
    if m:
        return m.group("src").strip()
    for m in _SAID_RE.finditer(sent):
        head = sent[: m.start()]
        # the subject: text after the last clause break before the verb
        cut = max(
            head.rfind(","),
            head.rfind(";"),
            head.rfind(":"),
            head.rfind('"'),
            head.rfind(" that "),
            head.rfind(" when "),
            head.rfind(" as "),
        )
        subj = head[cut + 1 :].strip() if cut >= 0 else head.strip()
        subj = re.sub(r"^(?:and|but|while|as|that|which)\s+", "", subj, flags=re.IGNORECASE)
        subj = re.sub(r"^.*\)\s*-+\s*", "", subj)  # a dateline "CITY (Agency) - "
        subj = re.sub(r"\s+(?:has|have|had|also|previously|later|on\s+\w+)$", "", subj)
        words = subj.split()
        if not words or len(words) > 8:
            continue
        if words[0].lower() in ("it", "he", "she", "they", "we", "i", "you", "this", "there"):
            continue
        if not (words[0][0].isupper() or words[0].lower() in ("the", "officials", "reports")):
            continue
        return subj
    return None


# ----------------------------------------------------------------------------- Ukrainian

_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_LATIN_RE = re.compile(r"[A-Za-z]")


def _is_uk(sent: str) -> bool:
    """A sentence in Ukrainian: more Cyrillic than Latin letters (model names are often Latin)."""
    return len(_CYRILLIC_RE.findall(sent)) > len(_LATIN_RE.findall(sent))


_UK_UNITS = {
    "нуль": 0,
    "один": 1,
    "одна": 1,
    "одну": 1,
    "одне": 1,
    "одного": 1,
    "два": 2,
    "дві": 2,
    "двох": 2,
    "двома": 2,
    "три": 3,
    "трьох": 3,
    "трьома": 3,
    "чотири": 4,
    "чотирьох": 4,
    "чотирма": 4,
    "п'ять": 5,
    "п'яти": 5,
    "п'ятьма": 5,
    "шість": 6,
    "шести": 6,
    "шістьма": 6,
    "сім": 7,
    "семи": 7,
    "сімома": 7,
    "вісім": 8,
    "восьми": 8,
    "вісьмома": 8,
    "дев'ять": 9,
    "дев'яти": 9,
    "десять": 10,
    "десяти": 10,
    "одинадцять": 11,
    "дванадцять": 12,
    "тринадцять": 13,
    "чотирнадцять": 14,
    "п'ятнадцять": 15,
    "шістнадцять": 16,
    "сімнадцять": 17,
    "вісімнадцять": 18,
    "дев'ятнадцять": 19,
    "двадцять": 20,
    "двадцяти": 20,
    "тридцять": 30,
    "тридцяти": 30,
    "сорок": 40,
    "сорока": 40,
    "п'ятдесят": 50,
    "шістдесят": 60,
    "сімдесят": 70,
    "вісімдесят": 80,
    "дев'яносто": 90,
    "сто": 100,
    "ста": 100,
    "двісті": 200,
    "триста": 300,
    "чотириста": 400,
    "п'ятсот": 500,
    "шістсот": 600,
    "сімсот": 700,
    "вісімсот": 800,
    "дев'ятсот": 900,
}
_UK_THOUSAND = ("тисяча", "тисячі", "тисяч", "тисячу")
_UK_NUMW = "|".join(sorted([*_UK_UNITS, *_UK_THOUSAND], key=len, reverse=True))
_UK_NUMBER_RE = re.compile(
    r"(?<![\w\-/.$€£#])"
    r"(?:(?P<digits>\d{1,3}(?: \d{3}){1,2}(?![\d,.:])|\d+)(?!\s*(?:%|відсот))(?![\w/]|-\w|[.,]\d|:\d)"
    r"|(?P<words>(?<![\w'])(?:" + _UK_NUMW + r")(?:\s+(?:" + _UK_NUMW + r"))*(?![\w'])))",
    re.IGNORECASE,
)
_UK_MONTHS = {
    "січня": 1,
    "лютого": 2,
    "березня": 3,
    "квітня": 4,
    "травня": 5,
    "червня": 6,
    "липня": 7,
    "серпня": 8,
    "вересня": 9,
    "жовтня": 10,
    "листопада": 11,
    "грудня": 12,
}
_UK_DATE_RE = re.compile(
    r"(?P<night>\b(?:у|в)\s+ніч\s+(?:на|проти)\s+)?\b(?P<d1>\d{1,2})(?:-?(?:го|е))?"
    r"\s+(?P<mon>" + "|".join(_UK_MONTHS) + r")(?:\s+(?P<year>(?:19|20)\d{2})(?:\s+р(?:оку|\.))?)?",
    re.IGNORECASE,
)
_UK_WINDOW_RE = re.compile(
    r"\bз\s+(?P<start>\d{1,2}[:.]\d{2})(?:\s+(?:\d{1,2}\s+\w+|години))?"
    r"(?:\s+(?:до|по)\s+(?P<end>\d{1,2}[:.]\d{2}))?"
    r"|\bстаном\s+на\s+(?P<asof>\d{1,2}[:.]\d{2})",
    re.IGNORECASE,
)
_UK_ROLE_CUES: tuple[tuple[str, str], ...] = (
    ("destroyed", r"збит\w*\s*/\s*подавлен\w*|збит\w*\s+(?:або|чи|та)\s+подавлен\w*"),
    (
        "lost",
        r"локаційно\s+втрачен\w*|втрачен\w*\s+локаційно|подавлен\w*\s+(?:засобами\s+)?"
        r"(?:РЕБ|радіоелектронної\s+боротьби)|(?:засобами\s+)?РЕБ\s+подавлен\w*"
        r"|зник\w*\s+(?:з|із|зі)\s+радар\w*|не\s+досягл\w*(?:\s+своїх)?\s+цілей|не\s+долеті\w*"
        r"|подавлен\w*|втрачен\w*",
    ),
    (
        "destroyed",
        r"збит\w*|збив\w*|збил\w*|знищен\w*|знищи\w*|знешкоджен\w*|знешкоди\w*"
        r"|перехоплен\w*|перехопи\w*|нейтралізован\w*|нейтралізува\w*|приземлен\w*",
    ),
    (
        "launched",
        r"атакува\w*|атакує|застосува\w*|застосову\w*|запусти\w*|запуска\w*|випусти\w*"
        r"|запущен\w*|випущен\w*|випуска\w*|завда\w*\s+(?:\w+\s+){0,3}?удар\w*|вдари\w*|виявлен\w*"
        r"|супроводжен\w*|зафіксова\w*|задіян\w*|задія(?:в|ла|ли)\b",
    ),
)
_UK_ROLE_RE = re.compile(
    "|".join(f"(?P<{role}{i}>\\b(?:{rx})\\b)" for i, (role, rx) in enumerate(_UK_ROLE_CUES)),
    re.IGNORECASE,
)
_UK_FILLER_RE = re.compile(
    # "40 з яких збито" (a part of the count before, not ", з яких збито 24": a new clause)
    r"^(?:\s+(?:з|із)\s+яких\s*"
    r"|(?:\s|,|-|\"|були|було|був|була|ще|також|вже|успішно|всі|усі|з\s+них|із\s+них)*)$",
    re.IGNORECASE,
)
_UK_LIST_GAP_RE = re.compile(
    r"^(?:\s*(?:,|та|і|й|а\s+також)\s*#)*[\s\"']*(?:(?:були|було|також|ще|вже)\s*)*$",
    re.IGNORECASE,
)
_UK_AUX_RE = re.compile(r"\b(?:були|було|був|була)\b", re.IGNORECASE)
_UK_BARE_GAP_RE = re.compile(
    r"\s*:?\s*(?:ще|загалом|всього|лише|усі|всі|усього)?\s*", re.IGNORECASE
)
_UK_CONTEXT_RE = re.compile(
    r"(?:атак|удар|збит|ППО|протиповітрян|нападу|ракет|БпЛА|дрон)", re.IGNORECASE
)
_UK_KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "interceptor",
        re.compile(
            r"\bзенітн\w+|\bперехоплювач\w*|\bpatriot\w*|\bпатріот\w*|\bnasams\b|\bіріс\w*"
            r"|\bпротиповітрян\w+\s+ракет\w*",
            re.I,
        ),
    ),
    ("decoy", re.compile(r"імітатор\w*|\bхибн\w+\s+ціл\w*|\bгербер\w*|\bпародія\w*", re.I)),
    (
        "drone",
        re.compile(
            r"\bбпла\b|\bбезпілотник\w*|\bбезпілотн\w+\s+(?:літальн\w+\s+)?апарат\w*|\bдрон\w*"
            r"|\bшахед\w*|\bshahed\w*|\bгерань\w*|\bгерані\w*|\bgeran\w*",
            re.I,
        ),
    ),
    ("cruise_missile", re.compile(r"\bкрилат\w+", re.I)),
    ("ballistic_missile", re.compile(r"\b(?:аеро)?балістичн\w+", re.I)),
    ("missile", re.compile(r"\bракет\w*", re.I)),
    (
        "other",
        re.compile(r"\bкаб\w*\b|\b(?:авіа)?бомб\w*|\bкерован\w+\s+авіаційн\w+\s+бомб\w*", re.I),
    ),
    (
        "unknown",
        re.compile(
            r"\bзасоб\w*\s+повітряного\s+нападу|\bповітрян\w+\s+ціл\w*|\bцілей\b|\bціл[іь]\b"
            r"|\bзасоб\w*\s+ураження",
            re.I,
        ),
    ),
)
_UK_MODEL_RE = re.compile(
    r"(?<![\w-])(?:[ХX]-\d+\w*(?:/\d+)?|Іскандер\w*(?:-[МКMK])?|Кинджал\w*|Калібр\w*|Циркон\w*"
    r"|Онікс\w*|С-[34]00\w*|KN-23)(?![\w-])",
    re.IGNORECASE,
)
_UK_TRANSLIT = (
    ("іскандер", "Iskander"),
    ("кинджал", "Kinzhal"),
    ("калібр", "Kalibr"),
    ("циркон", "Zircon"),
    ("онікс", "Onyx"),
)
_UK_STOP_WORDS = frozenset(
    """з із зі у в на по до від над під для що які який яка яке було були був була без ще
    також станом внаслідок через протягом близько майже понад щонайменше влучили влучила влучило
    влучив уразили досягли""".split()
)
_UK_JOIN = frozenset({"та", "і", "й", "або", "чи"})
_UK_OF_RE = re.compile(r"\s+(?:з|із|зі)\s+", re.IGNORECASE)
_UK_OF_GROUP_RE = re.compile(r"\s*,?\s*(?:з|із)\s+(?:них|яких)\b", re.IGNORECASE)
_UK_PERIOD_RE = re.compile(
    r"(?<!\w)(?:протягом|упродовж|впродовж|за)\s+(?:(?:минулого|останнього|цього|минулий|"
    r"останній|цей)\s+)?(?:тижн(?:я|ень)|тиждень|місяц(?:я|ь)|року|рік"
    r"|(?:\d+|кілька|декілька|дв[аі]|три|чотири|п'ять|шість|сім)\s+(?:діб|доби|днів|дні"
    r"|ночей|ночі|тижн(?:і|ів)|місяц(?:і|ів)))(?!\w)"
    r"|(?<!\w)(?:минулого|цього)\s+(?:тижня|місяця)(?!\w)"
    r"|(?<!\w)(?:з|від)\s+початку\s+(?:(?:повномасштабного|широкомасштабного)\s+)?"
    r"(?:року|місяця|тижня|війни|вторгнення)(?!\w)"
    r"|(?<!\w)(?:у|в)\s+(?:січні|лютому|березні|квітні|травні|червні|липні|серпні|вересні|жовтні"
    r"|листопаді|грудні)(?!\w)"
    # "за червень", "протягом липня": a calendar month (never "за 9 липня", a day)
    r"|(?<!\w)(?:за|протягом|упродовж|впродовж)\s+(?:січ(?:ень|ня)|лют(?:ий|ого)|берез(?:ень|ня)"
    r"|квіт(?:ень|ня)|трав(?:ень|ня)|черв(?:ень|ня)|лип(?:ень|ня)|серп(?:ень|ня)"
    r"|верес(?:ень|ня)|жовт(?:ень|ня)|листопада?|груд(?:ень|ня))(?!\w)",
    re.IGNORECASE,
)
"""A Ukrainian claim's counts over a period ("протягом тижня", "з початку року"), not one night."""
_UK_ROUND_RE = re.compile(
    r"\s+(?P<unit>десят(?:ок|ка|ки|ків|ками|кам|ком)|сот(?:ня|ні|ень|нями|ню|нею))(?!\w)",
    re.IGNORECASE,
)
"""Tens and hundreds after a number word ("два десятки", "трьома сотнями"): N × 10, N × 100."""
_UK_VAGUE_RE = re.compile(
    r"(?<!\w)(?P<vague>десятк\w*|сотн\w*|кільканадцят\w*|декільк\w*|кільк\w*|багато|чисельн\w*)"
    r"(?=\s)",
    re.IGNORECASE,
)


def _uk_model_kind(token: str) -> str | None:
    t = token.replace("Х", "X").replace("х", "x")
    low = t.lower()
    for uk, lat in _UK_TRANSLIT:
        if low.startswith(uk):
            t = lat + t[len(uk) :]
            break
    t = t.replace("М", "M").replace("К", "K").replace("С-", "S-").replace("с-", "S-")
    t = re.sub(r"[^\w\-/]+$", "", t)
    # "Іскандери-К": the inflection sits between the name and the variant
    for cand in (t, re.sub(r"(?<=[A-Za-z])[а-яіїєґ]+(?=-|$)", "", t, flags=re.I)):
        mk = resolve_model(cand)
        if mk.mapped and mk.kind in BULLETIN_KINDS:
            return str(mk.kind)
    return None


def _uk_classify_part(part: str) -> str | None:
    kinds = {name for name, rx in _UK_KIND_PATTERNS[1:] if rx.search(part)}
    for tok in _UK_MODEL_RE.findall(part):
        k = _uk_model_kind(tok)
        if k is not None:
            kinds.add(k)
    return _part_kind(kinds)


def _uk_classify_phrase(phrase: str) -> tuple[str | None, tuple[str, ...], str | None]:
    if not phrase.strip():
        return None, (), None
    if _UK_KIND_PATTERNS[0][1].search(phrase):
        return "skip", (), "interceptor, not a raid weapon"
    parts = re.split(r"\s+(?:та|і|й|або|чи|а\s+також)\s+|\s*/\s*", phrase, flags=re.I)
    found = [k for k in (_uk_classify_part(p) for p in parts) if k is not None]
    if not found:
        return None, (), None
    return _combined_kind(found, None)


def _uk_ends_at_join(token: str, nxt: str) -> bool:
    if token == "а":
        return nxt.lower() == "також"  # "а також": a new clause
    return token in _UK_JOIN and bool(
        re.match(r"\d", nxt) or _UK_NUMBER_RE.fullmatch(nxt) or _UK_VAGUE_RE.match(nxt + " ")
    )


_UK_PHRASE = _PhraseRules(
    stop_words=_UK_STOP_WORDS,
    role_re=_UK_ROLE_RE,
    number_re=_UK_NUMBER_RE,
    trailing_re=re.compile(r"\s+(?:та|і|й|або|чи)$"),
    max_chars=200,
    ends_at_join=_uk_ends_at_join,
)


def _uk_noun_phrase(s: str, pos: int) -> tuple[int, str]:
    """The Ukrainian noun phrase after a count (:func:`_scan_phrase`)."""
    return _scan_phrase(s, pos, len(s), _UK_PHRASE)


def _uk_number_value(m: re.Match[str]) -> int | None:
    if m.group("digits"):
        return int(m.group("digits").replace(" ", ""))  # "1 200"
    total, current = 0, 0
    for w in m.group("words").lower().split():
        if w in _UK_THOUSAND:
            total += max(current, 1) * 1000
            current = 0
        else:
            current += _UK_UNITS.get(w, 0)
    return total + current


def _uk_excluded_spans(s: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _TIME_RE.finditer(s)]
    spans += [m.span() for m in _UK_DATE_RE.finditer(s)]
    spans += [m.span() for m in re.finditer(r"\b(?:19|20)\d{2}\s+р(?:оку|\.)", s)]
    return spans


_UK_DASH_RE = re.compile(r"\s*-\s*")


_UK_REGION_RE = re.compile(
    r"(?<!\w)(?:[Нн]а|[Нн]ад|[Уу]|[Вв])\s+(?P<place>[А-ЯІЇЄҐ][\w'’-]*(?:щин|ччин)(?:і|ою)"
    r"|[А-ЯІЇЄҐ][\w'’-]*ськ(?:ій|ою)\s+(?:област(?:і|ю)|обл\.?)"
    r"|(?:Києві|Києвом|Харкові|Харковом|Одесі|Одесою|Львові|Львовом|Дніпрі|Дніпром"
    r"|Запоріжжі|Запоріжжям|Миколаєві|Миколаєвом|Сумах|Сумами|Полтаві|Полтавою))(?!\w)"
)
"""Where a Ukrainian regional count was: "на Київщині", "над Одещиною", "у Харківській області",
"над Києвом" (the region or city as written, in its case)."""


def _uk_region(sent: str) -> str | None:
    """The region or city a Ukrainian claim's counts were in (:data:`_UK_REGION_RE`), or
    ``None``; the national bulletins' "на півночі, півдні, сході та в центрі" name none."""
    found = list(dict.fromkeys(m.group("place") for m in _UK_REGION_RE.finditer(sent)))
    return " та ".join(found) if found else None


def _uk_mentions(s: str) -> list[_Mention]:
    """Counts in a Ukrainian sentence (see :func:`_mentions`; Air Force phrasing)."""
    excluded = _Spans(_uk_excluded_spans(s))
    out: list[_Mention] = []
    taken = _Spans([])
    amounts = _amount_mentions(s, _UK_AMOUNT_RE, _uk_classify_phrase)
    after_noun = {x.start: x for x in amounts}
    for m in _UK_NUMBER_RE.finditer(s):
        a, b = m.span()
        if excluded.covers(a, b) or (out and a < out[-1].phrase_end):
            continue
        if a in after_noun:
            out.append(after_noun[a])
            taken.add(a, b)
            continue
        value = _uk_number_value(m)
        if value is None:
            continue
        of = _UK_OF_RE.match(s, b)
        num = _UK_NUMBER_RE.match(s, of.end()) if of else None
        if num is not None:
            # "15 з 18 ракет": a part of a total given again
            total = _uk_number_value(num)
            p_end, phrase = _uk_noun_phrase(s, num.end())
            kind, kinds, note = _uk_classify_phrase(phrase)
            part = _Mention(
                a,
                b,
                value,
                None,
                max(p_end, num.end()),
                phrase,
                kind,
                kinds,
                note,
                anaphor=kind is None,
                of_group=kind is None,
                part_of=True,
            )
            out.append(part)
            taken.add(a, b)
            if total is not None:
                out.append(
                    _Mention(
                        num.start(),
                        num.end(),
                        total,
                        None,
                        part.phrase_end,
                        phrase,
                        kind,
                        kinds,
                        note,
                        anaphor=kind is None,
                        reference=True,
                    )
                )
            continue
        scaled = None
        mult = _UK_ROUND_RE.match(s, b) if value < 100 else None
        if mult is not None:
            # "двома десятками дронів", "дві сотні БпЛА": tens and hundreds, a round figure
            value *= 100 if mult.group("unit").lower().startswith("сот") else 10
            b = mult.end()
            scaled = "about"
        p_end, phrase = _uk_noun_phrase(s, b)
        kind, kinds, note = _uk_classify_phrase(phrase)
        after = _UK_OF_RE.match(s, p_end) if kind not in (None, "skip") and not scaled else None
        total_after = _UK_NUMBER_RE.match(s, after.end()) if after else None
        if total_after is not None and not _uk_noun_phrase(s, total_after.end())[1]:
            # "24 ракети Х-101 із 32": a part, then its total without a noun
            value_total = _uk_number_value(total_after)
            part = _Mention(a, b, value, None, p_end, phrase, kind, kinds, note, part_of=True)
            out.append(part)
            taken.add(a, b)
            if value_total is not None:
                out.append(
                    _Mention(
                        total_after.start(),
                        total_after.end(),
                        value_total,
                        None,
                        total_after.end(),
                        phrase,
                        kind,
                        kinds,
                        note,
                        reference=True,
                    )
                )
            continue
        dash = _UK_DASH_RE.match(s, b) if kind is None else None
        if dash is not None:  # "з них 477 - БпЛА": the noun after a dash
            p_end, phrase = _uk_noun_phrase(s, dash.end())
            kind, kinds, note = _uk_classify_phrase(phrase)
            if kind in (None, "skip") or not _CLAUSE_STOP_RE.match(s, p_end):
                p_end, phrase, kind = b, "", None
        if kind is None:
            of_group = bool(_UK_OF_GROUP_RE.search(s[max(0, a - 12) : a]))
            out.append(
                _Mention(a, b, value, None, b, phrase, None, anaphor=True, of_group=of_group)
            )
        else:
            men = _Mention(a, b, value, None, p_end, phrase, kind, kinds, note)
            men.qualifier = scaled
            out.append(men)
            if _all_of(s, men):
                out.append(_every_launched(men))  # "збито всі 7 балістичних ракет"
        taken.add(a, b)
    for m in _UK_VAGUE_RE.finditer(s):
        a, b = m.span()
        if taken.covers(a, a + 1):
            continue
        p_end, phrase = _uk_noun_phrase(s, b)
        taken.add(a, p_end)  # "кілька десятків дронів": one quantity
        kind, kinds, note = _uk_classify_phrase(phrase)
        if kind not in (None, "skip", "unknown"):
            out.append(_Mention(a, b, None, m.group("vague").lower(), p_end, phrase, kind, kinds))
    covered = _Spans([(x.start, max(x.phrase_end, x.end)) for x in out])
    out += _both(s, covered, lambda a, b: _uk_mention_at(s, a, b, 2))
    out += _every(s, covered)
    out += _definite(s, covered, _UK_DEFINITE_RE, _uk_classify_phrase)
    out.sort(key=lambda x: x.start)
    return out


def _uk_mention_at(s: str, a: int, b: int, value: int) -> _Mention:
    """A Ukrainian count at ``a:b`` with the noun phrase after it (no noun: an anaphor)."""
    p_end, phrase = _uk_noun_phrase(s, b)
    kind, kinds, note = _uk_classify_phrase(phrase)
    if kind is None:
        return _Mention(a, b, value, None, b, phrase, None, anaphor=True)
    return _Mention(a, b, value, None, p_end, phrase, kind, kinds, note)


_UK_RELATIVE_NIGHT_RE = re.compile(
    r"(?<!\w)(?:у|в)ночі(?!\w)|(?<!\w)(?:цієї|минулої|сьогодні)\s+ночі(?!\w)", re.IGNORECASE
)


def _uk_resolve_date(
    sent: str, ref: date | None
) -> tuple[str | None, str | None, bool, str | None]:
    """Date of a Ukrainian sentence: "у ніч на 9 липня" is the night that ends on 9 July."""
    m = _UK_DATE_RE.search(sent)
    if not m:
        rel = _UK_RELATIVE_NIGHT_RE.search(sent)
        if rel is not None:  # "вночі", "минулої ночі": the night that ends on the report's day
            if ref is None:
                return None, rel.group(), True, None
            return ref.isoformat(), rel.group(), True, (ref - timedelta(days=1)).isoformat()
        return None, None, bool(re.search(r"\bніч\b", sent, re.I)), None
    month = _UK_MONTHS[m.group("mon").lower()]
    day = int(m.group("d1"))
    year = int(m.group("year")) if m.group("year") else None
    night = bool(m.group("night"))
    if year is None and ref is not None:
        year = ref.year if (month, day) <= (ref.month, ref.day + 1) else ref.year - 1
    text = m.group().strip()
    try:
        if year is None:
            date(2024, month, day)
            eve = date(2023 if (month, day) != (2, 29) else 2024, month, day) - timedelta(days=1)
            night_of = f"--{eve.month:02d}-{eve.day:02d}" if night else None
            return f"--{month:02d}-{day:02d}", text, night, night_of
        when = date(year, month, day)
    except ValueError:
        return None, text, night, None
    night_of_d = when - timedelta(days=1) if night else None
    return when.isoformat(), text, night, night_of_d.isoformat() if night_of_d else None


def _uk_window(sent: str) -> dict[str, str] | None:
    out: dict[str, str] = {}
    for m in _UK_WINDOW_RE.finditer(sent):
        gd = {k: v.replace(".", ":") for k, v in m.groupdict().items() if v}
        if "start" in gd and "start" not in out:
            out["start"] = gd["start"]
        if "end" in gd and "end" not in out:
            out["end"] = gd["end"]
        if "asof" in gd and "as_of" not in out:
            out["as_of"] = gd["asof"]
    return out or None


# ----------------------------------------------------------------------------- entry points


def parse_bulletin(text: str, *, ref_date: date | None = None) -> list[Claim]:
    """Extract raid claims from English prose (see the module docstring).

    ``ref_date`` (the publication date) lets the parser resolve weekdays ("on Friday"),
    "overnight" and dates without a year; without it those keep their text and ``date`` is
    ``None`` (or ``--MM-DD`` when only the year is missing). A dateline at the top of the text
    ("KYIV, July 4, 2025 (Reuters) -") is used as ``ref_date`` when none is given.
    """
    norm = _normalise(text)
    if ref_date is None:
        ref_date = _dateline(norm)
    claims: list[Claim] = []
    prev_sentence_end = -1
    prev_label_kind: str | None = None  # the weapon kind of the last claim's line label
    # (start, end, date) of a sentence without counts that names a date ("... strike against
    # Ukraine on the night of July 3 to 4. The Air Force reported that ... launched 539 drones")
    lead: tuple[int, int, tuple[str | None, str | None, bool, str | None]] | None = None
    for sa, sb in _sentences(norm):
        sent = norm[sa:sb]
        uk = _is_uk(sent)
        mentions = _uk_mentions(sent) if uk else _mentions(sent)
        if not mentions:
            # a sentence right after a claim can still name its target, window or source
            if (
                claims
                and prev_sentence_end >= 0
                and not re.search(r"\n\s*\n", norm[prev_sentence_end:sa])
            ):
                _enrich(claims[-1], sent, uk)
                prev_sentence_end = sb
            else:  # a lead sentence with no counts may date the claim after it
                when = (_uk_resolve_date if uk else _resolve_date)(sent, ref_date)
                lead = (sa, sb, when) if when[1] is not None else lead
            continue
        has_context = bool((_UK_CONTEXT_RE if uk else _CONTEXT_RE).search(sent))
        _assign_roles(sent, mentions, uk)
        if claims and prev_sentence_end >= 0 and _BREAKDOWN_LEAD_RE.match(sent):
            # "They included 500 drones ...": the parts take the role of the count they break down
            last = max(claims[-1].items, key=lambda it: it.span[0], default=None)
            for men in mentions:
                if men.role is None and men.kind not in (None, "skip") and last is not None:
                    men.role = last.role
        sentence_claims = _sentence_claims(text, norm, sa, sb, mentions, has_context, ref_date, uk)
        follows = bool(claims) and claims[-1].span[1] == prev_sentence_end
        label_kind = _label_kind(sent, uk)
        after_claim = follows and "\n" not in norm[prev_sentence_end:sa]
        if (
            after_claim
            and len(sentence_claims) == 1
            and not sentence_claims[0].items
            and all(_bare_count(men) for men in mentions)
        ):
            sentence_claims = []  # "Збито 718. 296 БпЛА, ...": the parts of the claim before
        elif (
            follows
            and sentence_claims
            and not any(c.items for c in sentence_claims)
            and all(c.date_text is None or c.date == claims[-1].date for c in sentence_claims)
            and not re.search(r"\n\s*\n", norm[prev_sentence_end:sa])
        ):
            # "Hits by 13 missiles and 27 UAVs were recorded at 6 locations.": what a sentence
            # right after a claim (same paragraph, no other date) cannot count is unread there,
            # not a second claim with no counts
            for c in sentence_claims:
                claims[-1].unclassified += c.unclassified
            claims[-1].span = (claims[-1].span[0], sb)
            prev_sentence_end = sb
            continue
        for c_index, claim in enumerate(sentence_claims):
            prev = claims[-1] if claims else None
            head = (
                _split_head(prev, claim, norm)
                if prev is not None
                and (prev_sentence_end >= 0 or c_index > 0)
                and (claim.date is None or claim.date == prev.date)
                else None
            )
            if head is not None and prev is not None:
                # "Air defence neutralised 476 drones. 268 were shot down and 208 were lost."
                for it in claim.items:
                    it.split = it.role in ("destroyed", "lost")
                _merge(prev, claim, text)
            elif (
                c_index == 0
                and prev is not None
                and prev_sentence_end >= 0
                and _BREAKDOWN_LEAD_RE.match(sent)
                and _breaks_down(prev, claim, norm)
            ):
                # "Russia launched 550 drones and missiles. They included 500 drones and ..."
                first = min(
                    (it for it in claim.items if it.role == "launched"), key=lambda it: it.span[0]
                )
                first.opens_breakdown = True
                _merge(prev, claim, text)
            elif (
                prev is not None
                and prev_sentence_end >= 0
                and claim.items
                and _only_repeats_launches(claim, prev)
                and (
                    (prev.launched and _outcomes_fit(prev, claim))
                    or _continues_outcomes(prev, claim)
                )
                and (claim.date is None or claim.date == prev.date)
                and (claim.period is None or claim.period == prev.period)
                and not (set(claim.counts("destroyed")) & set(prev.counts("destroyed")))
                and not (set(claim.counts("lost")) & set(prev.counts("lost")))
            ):
                _merge(prev, claim, text)
            elif (
                c_index == 0
                and prev is not None
                and prev_sentence_end >= 0
                and _repeats(claim, prev, norm)
                and _same_night(claim, prev)
                and (claim.period is None or claim.period == prev.period)
                and "comparison" not in claim.qualifiers
            ):
                # "Ukraine says it downed 288 drones, 45 missiles" (a headline), then "... shot
                # down 288 drones and 45 missiles, while another 96 drones were lost": the body
                # repeats the headline's outcomes and adds to them
                prev.items = [it for it in prev.items if not it.repeated]
                claim.items = [it for it in claim.items if not it.repeated]
                _merge(prev, claim, text)
            elif (
                c_index == 0
                and prev is not None
                and follows
                and label_kind is not None
                and prev_label_kind not in (None, label_kind)
                and norm[prev_sentence_end:sa].count("\n") == 1
                and not (_kinds_of(claim) & _kinds_of(prev))
                and (claim.date is None or claim.date == prev.date)
            ):
                # "Drones: 120 launched, 98 shot down.\nMissiles: 10 launched, 8 shot down.": the
                # labelled lines of one statement, one kind each
                _merge(prev, claim, text)
            elif (
                prev is not None
                and prev_sentence_end >= 0
                and _launches_after_outcomes(prev, claim)
                and (claim.date is None or claim.date == prev.date)
                and (claim.period is None or claim.period == prev.period)
            ):
                # "Air defence downed 50 drones. Russia had launched 70 drones and 3 missiles."
                _merge(prev, claim, text)
            else:
                if (
                    lead is not None
                    and claim.date_text is None
                    and not re.search(r"\n\s*\n", norm[lead[1] : sa])
                ):
                    claim.date, claim.date_text, night, claim.night_of = lead[2]
                    claim.night = claim.night or night
                    claim.span = (lead[0], claim.span[1])
                lead = None
                claims.append(claim)
        if sentence_claims:
            prev_sentence_end = sb
            prev_label_kind = label_kind
        elif after_claim:
            # "Shot down: 718. 296 UAVs, 415 decoys and 7 missiles.": weapon counts on the line
            # of a claim, right after it, with no verb of their own are the parts of its last
            # count when they add up to it exactly; otherwise they are reported as unread there
            if _attach_parts(claims[-1], text, sa, mentions):
                claims[-1].span = (claims[-1].span[0], sb)
                prev_sentence_end = sb
            else:
                _report_unread(claims[-1], text, sa, mentions)
    before: Claim | None = None
    for claim in claims:
        claim.text = text[claim.span[0] : claim.span[1]]
        _fill_every(claim)
        # "Since the start of the month Russia has launched 2,400 drones. Overnight it launched
        # 120; 100 were shot down.": bare counts with nothing in their own claim to name them
        # take the one kind of the claim right before, in the same paragraph
        after = before is not None and not re.search(
            r"\n\s*\n", norm[before.span[1] : claim.span[0]]
        )
        _fill_anaphora(claim, _common_kind(_kinds_of(before)) if after and before else "unknown")
        before = claim
        _link_splits(claim)
        _link_breakdowns(claim, norm)
        _link_neutralised(claim, norm)
        _link_remainder(claim, norm)
        _refine_missile_kinds(claim)
        _locate(claim, norm)
    return claims


def _unread(text: str, sa: int, men: _Mention, reason: str) -> dict[str, Any]:
    """The ``unclassified`` entry of ``men`` (in the sentence starting at ``sa``)."""
    span = (sa + men.start, sa + max(men.phrase_end, men.end))
    return {
        "text": text[span[0] : span[1]],
        "span": list(span),
        "reason": reason,
        "kind": men.kind,
        "role": men.role,
    }


def _bare_count(men: _Mention) -> bool:
    """A weapon count with no role: "296 UAVs" in "Shot down: 718. 296 UAVs, 415 decoys"."""
    return (
        men.role is None
        and men.count is not None
        and men.kind not in (None, "skip")
        and men.note not in _UNREAD_REASONS  # a hit, a negated verb: a verb of its own
    )


def _attach_parts(claim: Claim, text: str, sa: int, mentions: list[_Mention]) -> bool:
    """Read a sentence of bare weapon counts (:func:`_bare_count`, every count of it) as the
    parts of ``claim``'s last count, in that count's role, when they add up to it exactly and
    fit its kind ("Shot down: 718. 296 UAVs, 415 decoys and 7 missiles."). The first part opens
    the list, so :func:`_link_breakdowns` links them and :meth:`Claim.counts` never sums the
    count and its parts. Anything short of that is not a breakdown the text states: False."""
    if len(mentions) < 2 or not all(_bare_count(men) for men in mentions) or not claim.items:
        return False
    head = max(claim.items, key=lambda it: it.span[1])
    if (
        head.role not in ROLES
        or head.count is None
        or head.reference
        or sum(men.count or 0 for men in mentions) != head.count
        or (
            head.kind != "?"
            and not all(
                men.kind in _SCOPE.get(head.kind, frozenset({head.kind})) for men in mentions
            )
        )
    ):
        return False
    for k, men in enumerate(mentions):
        span = (sa + men.start, sa + max(men.phrase_end, men.end))
        claim.items.append(
            Item(
                head.role,
                men.kind or "unknown",
                men.count,
                men.qualifier,
                men.noun.strip(),
                text[span[0] : span[1]],
                span,
                note=men.note,
                opens_breakdown=k == 0,
            )
        )
    return True


def _report_unread(claim: Claim, text: str, sa: int, mentions: list[_Mention]) -> None:
    """List ``mentions`` of weapons with a number but no role under ``claim.unclassified``."""
    default = "a count after the claim with no verb of its own"
    claim.unclassified += [
        _unread(text, sa, men, _UNREAD_REASONS.get(men.note or "", default))
        for men in mentions
        if men.role is None and men.count is not None and men.kind not in (None, "skip")
    ]


_OPENER_WORDS = (
    r"(?:including|includ(?:ed|es)"
    r"|among\s+(?:them|which|those)|in\s+particular|namely|notably|specifically"
    r"|of\s+(?:them|which)(?:\s+were)?|з\s+них|у\s+тому\s+числі|в\s+тому\s+числі|серед\s+них"
    r"|зокрема|а\s+саме)\b"
)
_OPENER_WORD_RE = re.compile(_OPENER_WORDS, re.IGNORECASE)
_OPENER_RE = re.compile(
    # the rest of the noun phrase ("Shahed, Gerbera"), or a place and date ("against Ukraine
    # overnight on June 29, including ...": a day of the month is no count)
    r"(?:[\s,]*+(?:[^\W\d_][\w'/-]*+|\d{1,2}(?![\d:.]))){0,8}[\s\"']*"
    # ":", "(", a dash, each maybe with an opener word ("31 missiles - including 23 Kh-101")
    rf"(?:[:(-][\s:,\-]*(?:{_OPENER_WORDS})?|,?\s*{_OPENER_WORDS})[\s:,\-]*"
    # a qualifier of the first part ("including around 150 decoys")
    r"(?:(?:about|around|some|roughly|approximately|nearly|almost|over|more\s+than|at\s+least"
    r"|up\s+to|близько|понад|майже)\s+)?",
    re.IGNORECASE,
)
_SEPARATOR_RE = re.compile(
    r"[\s,;)\"']*(?:\n\s*[-*•]\s*)?"
    r"(?:(?:and|plus|as\s+well\s+as|also|та|і|й|а\s+також|також|ще)\b[\s,;\"']*)*",
    re.IGNORECASE,
)
_BREAKDOWN_LEAD_RE = re.compile(
    r"\s*(?:(?:they|these|those|this|it|the\s+(?:attack|raid|barrage|strike|salvo|wave)s?)\s+"
    r"(?:included|include|includes|comprised|consisted\s+of|were|was\s+made\s+up\s+of)"
    r"|among\s+them|of\s+(?:them|these)"
    r"|of\s+the\s+(?:\d[\d,]*\s+)?(?:missiles|drones|uavs|rockets|weapons)(?=\s*,)"
    r"|including|серед\s+них|з\s+них|у\s+тому\s+числі"
    r"|в\s+тому\s+числі|зокрема)\b",
    re.IGNORECASE,
)


def _breaks_down(prev: Claim, claim: Claim, norm: str) -> bool:
    """Do ``claim``'s launches break down the last launched count of ``prev``, or the list of
    launched counts it ends ("355 drones and 64 missiles. Of them, 300 were Shaheds")? Each part
    must fall within one of those counts' kinds, adding up to at most it."""
    parts = [it for it in claim.items if it.role == "launched" and it.count is not None]
    heads = sorted(
        (it for it in prev.items if it.role == "launched" and it.count is not None),
        key=lambda it: it.span[0],
    )
    if not parts or not heads or any(it.reference for it in parts):
        return False
    listed = [heads[-1]]  # the last count and the ones joined to it ("355 drones and 64 ...")
    for it in reversed(heads[:-1]):
        gap = norm[it.span[1] : listed[0].span[0]]
        if not _SEPARATOR_RE.fullmatch(gap):
            break
        listed.insert(0, it)
    used = [0] * len(listed)
    for part in parts:
        for h in reversed(range(len(listed))):
            head = listed[h]
            scope = _SCOPE.get(head.kind, frozenset({head.kind}))
            if part.kind in scope and used[h] + (part.count or 0) <= (head.count or 0):
                used[h] += part.count or 0
                break
        else:
            return False
    return _outcomes_fit(prev, claim)


_LIST_ITEM_END_RE = re.compile(
    r"(?:[^\d:()]|(?<=напрямків):|(?<=напрямку):|(?<=directions):|(?<=direction):){0,160}"
    r"[;,]\s*(?:-\s*)?(?:(?:and|та|і|а\s+також)\b\s*)?",
    re.IGNORECASE,
)
"""The rest of a list item's noun phrase ("... from the directions of Kursk; 27 missiles",
"... з напрямків: Курськ, Орел; 14 ракетами"), up to the next item (or list line: "\n- ")."""
_PAREN_ASIDE_RE = re.compile(r"\s*\([^()\d]*\)")
_SCOPE: dict[str, frozenset[str]] = {
    "unknown": frozenset(BULLETIN_KINDS),
    "missile": frozenset({"missile", "cruise_missile", "ballistic_missile"}),
    "drone": frozenset({"drone", "decoy"}),
}


_OUT_OF_TOTAL_RE = re.compile(
    r"^\s*(?:out\s+of|of|з|із)\s+(?:the\s+)?\d[\d,]*(?:\s+(?:launched|запущених))?(?=\s*[:(\-–—])",
    re.IGNORECASE,
)
"""The total right after a part count ("577 targets out of 614"), before its breakdown opens."""


def _link_breakdowns(claim: Claim, norm: str) -> None:
    """Mark counts that break down an earlier count of the same role (see :meth:`Claim.counts`).

    A part-list opens after a count with ``:``, ``(``, a dash, "including", "among them", "of
    which" (Ukrainian "з них", "у тому числі", "зокрема"); its parts are separated by commas,
    "and", "та"; a ``)`` closes a parenthesised list. A part must be of a kind within the total's
    (``unknown`` holds every kind, ``missile`` the missile kinds, ``drone`` drones and decoys)
    and the parts may not add up to more than the total; a part that does not fit ends the list.
    """
    for role in ROLES:
        order = sorted(
            (i for i, it in enumerate(claim.items) if it.role == role and it.count is not None),
            key=lambda i: claim.items[i].span[0],
        )
        # (the counts a part-list breaks down, nearest first; opened with a parenthesis)
        stack: list[tuple[list[int], bool]] = []
        used: dict[int, int] = {}
        prev: int | None = None
        run: list[int] = []  # counts joined by separators up to ``prev`` ("751 drones and 4")
        for j in order:
            it = claim.items[j]
            if it.reference:
                stack, prev, run = [], None, []
                continue
            if prev is not None:
                gap = norm[claim.items[prev].span[1] : it.span[0]]
                gap = _OUT_OF_TOTAL_RE.sub("", gap, count=1)  # "577 targets out of 614: ..."
                if it.opens_breakdown or _OPENER_RE.fullmatch(gap):
                    stack.append((run[::-1], "(" in gap))
                    run = []
                else:
                    # an aside without counts is no part of the list's structure: "2 ракетами
                    # Х-101 (з повітряного простору Саратовської області) та 9 балістичними"
                    gap = _PAREN_ASIDE_RE.sub("", gap)
                    for _ in range(gap.count(")")):
                        while stack and not stack[-1][1]:
                            stack.pop()
                        if stack:
                            stack.pop()
                    if not (
                        _SEPARATOR_RE.fullmatch(gap)
                        or (stack and ")" not in gap and _LIST_ITEM_END_RE.fullmatch(gap))
                    ):
                        stack, run = [], []
            count = it.count or 0
            parent: int | None = None
            while stack and parent is None:
                for c in stack[-1][0]:
                    top = claim.items[c]
                    if it.kind in _SCOPE.get(top.kind, frozenset({top.kind})) and used.get(
                        c, 0
                    ) + count <= (top.count or 0):
                        parent = c
                        break
                else:
                    stack.pop()
            if parent is not None:
                it.breakdown_of = parent
                used[parent] = used.get(parent, 0) + count
            run.append(j)
            prev = j
    _link_total_breakdowns(claim)


def _link_total_breakdowns(claim: Claim) -> None:
    """ "44 of 57 missiles, including 38 of 42 Kh-101s": where a part's count breaks down a
    count, the total it is read out of ("of 42") breaks down that count's total ("of 57")."""
    items = claim.items
    total_of: dict[int, int] = {}  # outcome count -> the launched total inside its text
    for i, it in enumerate(items):
        if it.role != "launched" or not it.reference or it.count is None:
            continue
        for j, part in enumerate(items):
            if part.role != "launched" and part.span[0] <= it.span[0] <= it.span[1] <= part.span[1]:
                total_of[j] = i
                break
    used: dict[int, int] = {}
    for j, i in total_of.items():
        parent = items[j].breakdown_of
        if parent is None or parent not in total_of:
            continue
        child, top_index = items[i], total_of[parent]
        top = items[top_index]
        count = child.count or 0
        if child.breakdown_of is None and (
            child.kind in _SCOPE.get(top.kind, frozenset({top.kind}))
            and used.get(top_index, 0) + count <= (top.count or 0)
        ):
            child.breakdown_of = top_index
            used[top_index] = used.get(top_index, 0) + count


_NEUTRALISED_RE = re.compile(
    r"neutrali[sz]\w*|" + _DOWN_OR_JAMMED + r"|знешкоджен\w*"
    r"|нейтралізован\w*|збито\s*(?:/|або|чи|та|і)\s*подавлено",
    re.IGNORECASE,
)


def _refine_missile_kinds(claim: Claim) -> None:
    """An outcome count of missiles in general ("2 missiles were shot down") in a claim whose
    launches name one missile kind only ("3 Kh-59/69 guided missiles": cruise) is of that kind:
    the missiles destroyed or lost are among those launched. Counts that break down, or are
    broken down, keep their kind; so does one larger than the launches of that kind."""
    kinds = [k for k in claim.launched if k in _MISSILE_KINDS]
    if len(kinds) != 1 or kinds[0] == "missile":
        return
    kind = kinds[0]
    limit = claim.launched[kind]
    linked = {it.breakdown_of for it in claim.items if it.breakdown_of is not None}
    for i, it in enumerate(claim.items):
        if (
            it.role in ("destroyed", "lost")
            and it.kind == "missile"
            and it.breakdown_of is None
            and i not in linked
            and (it.count or 0) <= limit
        ):
            it.kind = kind
            it.note = (f"{it.note}; " if it.note else "") + f"kind from the launches ({kind})"


def _link_neutralised(claim: Claim, norm: str) -> None:
    """A *neutralised* headline counts weapons destroyed and lost alike ("air defence
    neutralised 266 targets: 225 drones were shot down, 41 were locationally lost"), so the
    lost counts of its part-list break it down as well (:meth:`Claim.counts` then gives 225
    destroyed and 41 lost, not 41 more destroyed). Parts follow the headline in its sentence,
    after an opener (and at most a verb: "266 targets: shot down 225 drones, ..."), each within
    the headline's kind, adding up to at most its count; destroyed parts the per-role linking
    left unlinked because of that verb are linked too."""
    items = claim.items
    order = sorted(
        (i for i, it in enumerate(items) if it.count is not None and not it.reference),
        key=lambda i: items[i].span[0],
    )
    for pos, i in enumerate(order[:-1]):
        head = items[i]
        if head.role != "destroyed" or head.breakdown_of is not None:
            continue
        nxt = pos + 1  # past the rest of a listed headline: "neutralised 751 drones and 4 missiles"
        while (
            nxt + 1 < len(order)
            and items[order[nxt]].role == "destroyed"
            and items[order[nxt]].breakdown_of is None
            and _SEPARATOR_RE.fullmatch(
                norm[items[order[nxt - 1]].span[1] : items[order[nxt]].span[0]]
            )
        ):
            nxt += 1
        if nxt > pos + 1 and not _OPENER_RE.fullmatch(
            norm[items[order[nxt - 1]].span[1] : items[order[nxt]].span[0]]
        ):
            nxt = pos + 1  # a plain list of counts, no part-list after it
        first = items[order[nxt]]
        last_head = items[order[nxt - 1]]
        lo = max(0, head.span[0] - MAX_SENTENCE_CHARS)  # no sentence is longer (:func:`_capped`)
        sentence_start = max(
            norm.rfind(".", lo, head.span[0]), norm.rfind("\n", lo, head.span[0]), lo - 1
        )
        neutralised = bool(_NEUTRALISED_RE.search(norm[sentence_start + 1 : first.span[0]]))
        gap = norm[last_head.span[1] : first.span[0]]
        opener = _OPENER_RE.match(gap)  # then at most a verb: "266 targets: shot down 225"
        after_opener = opener is not None and len(gap[opener.end() :].split()) <= 3
        if "." in gap or not (after_opener or first.of_group):  # "..., 28 of them shot down"
            continue
        scope = _SCOPE.get(head.kind, frozenset({head.kind}))
        used = sum(items[k].count or 0 for k in range(len(items)) if items[k].breakdown_of == i)
        parts: list[Item] = []
        prev_end = last_head.span[1]
        for k in order[nxt:]:
            part = items[k]
            between = norm[prev_end : part.span[0]]
            if "." in between:
                break  # the headline's sentence has ended
            if ")" in _PAREN_ASIDE_RE.sub("", between):
                break  # "212 drones and 15 missiles (13 cruise and 2 ballistic); another ...":
                # a parenthesised list has closed, and with it the headline's
            prev_end = part.span[1]
            if part.role not in ("destroyed", "lost") or part.breakdown_of is not None:
                continue
            if part.kind not in scope:
                continue
            if used + (part.count or 0) > (head.count or 0):
                break
            parts.append(part)
            used += part.count or 0
        # with another verb ("475 targets were downed: 211 drones were shot down, 225 were lost
        # locationally, and 39 missiles were destroyed") only a list that adds up to the
        # headline exactly, lost counts among its parts, breaks it down
        exact = (
            used == head.count
            and any(part.role == "lost" for part in parts)
            and len(parts) > 1  # one part as large as the headline is a coincidence, no list
        )
        if neutralised or exact:
            for part in parts:
                part.breakdown_of = i


def _remainder_slack(total: int) -> int:
    """Weapons a reported total may differ from the sum of its parts by: 1, or 0.5 % of it."""
    return max(1, round(0.005 * total))


def _link_remainder(claim: Claim, norm: str) -> None:
    """A destroyed count broken down into parts that fall short of it, and a lost count in its
    sentence equal to exactly the rest: "shot down 718 of 741 targets, including 296 drones and
    7 cruise missiles, while 415 decoys were lost" (718 = 296 + 7 + 415). The headline counted
    what the defence stopped; the lost count is its last part, not 415 more. Reports round
    and recount: a lost count short of the rest by at most :func:`_remainder_slack` is that
    part too ("intercepted 475 targets, including 211 drones and 38 missiles, while 225 drones
    were lost": 1 destroyed left under the headline's kind)."""
    items = claim.items
    for i, head in enumerate(items):
        parts = [it for it in items if it.breakdown_of == i]
        if head.role != "destroyed" or head.count is None or not parts:
            continue
        rest = head.count - sum(it.count or 0 for it in parts)
        scope = _SCOPE.get(head.kind, frozenset({head.kind}))
        for it in items:
            if (
                it.role == "lost"
                and it.count is not None
                and 0 < it.count <= rest <= it.count + _remainder_slack(head.count)
                and it.breakdown_of is None
                and it.kind in scope
                and it.span[0] > head.span[1]
                and "." not in norm[head.span[1] : it.span[0]]
                and "\n" not in norm[head.span[1] : it.span[0]]
            ):
                it.breakdown_of = i
                break


def _locate(claim: Claim, norm: str) -> None:
    """Character spans of the date, target, source, quote and period texts within the claim."""
    lo, hi = claim.span
    for name, value in (
        ("date", claim.date_text),
        ("target", claim.target),
        ("source", claim.source),
        ("quote", claim.quote),
        ("period", claim.period),
    ):
        if value:
            at = norm.find(value, lo, hi)
            if at >= 0:
                claim.spans[name] = [at, at + len(value)]


def _dateline(norm: str) -> date | None:
    head = norm[:200]
    m = re.match(
        r"\s*[A-Z][A-Za-z .'-]{1,40},?\s+(?:(?P<mon>" + _MONTH_RE + r")\s+(?P<d1>\d{1,2})"
        r"|(?P<d2>\d{1,2})\s+(?P<mon2>" + _MONTH_RE + r")),?\s+(?P<year>(?:19|20)\d{2})\b",
        head,
    )
    if not m:
        m2 = re.match(r"\s*(?P<year>(?:19|20)\d{2})-(?P<mn>\d{2})-(?P<d>\d{2})\b", head)
        if not m2:
            return None
        try:
            return date(int(m2.group("year")), int(m2.group("mn")), int(m2.group("d")))
        except ValueError:
            return None
    mon = (m.group("mon") or m.group("mon2")).lower().rstrip(".")
    day = int(m.group("d1") or m.group("d2"))
    try:
        return date(int(m.group("year")), _MONTHS[mon], day)
    except ValueError:
        return None


def _sentence_claims(
    text: str,
    norm: str,
    sa: int,
    sb: int,
    mentions: list[_Mention],
    has_context: bool,
    ref_date: date | None,
    uk: bool = False,
) -> list[Claim]:
    sent = norm[sa:sb]
    groups: list[list[_Mention]] = [[]]
    seen: set[tuple[str | None, str | None]] = set()
    headlines: set[str] = set()  # roles of counts a part-list follows (after a colon)
    launched_kinds: dict[str | None, int] = {}  # launched counts that are not a total again
    for x in mentions:
        if x.role == "launched" and not x.reference:
            launched_kinds[x.kind] = launched_kinds.get(x.kind, 0) + 1
    references: set[tuple[str | None, int | None]] = set()
    for men in mentions:
        if men.kind == "skip":
            continue
        if men.anaphor and men.role is None and men.note not in _UNREAD_REASONS:
            continue  # a bare number with no verb tied to it is not a count of weapons
        if men.kind is None and not men.anaphor:
            continue
        if men.role is None and not has_context and men.vague is None:
            if men.note not in _UNREAD_REASONS or men.kind is None:
                continue  # a count of weapons with no raid word nearby ("hit" is one)
        key = (men.role, men.kind)
        if men.reference:
            scope = _SCOPE.get(men.kind or "", frozenset({men.kind}))
            others = sum(
                n
                for k, n in launched_kinds.items()
                if k in scope or men.kind in _SCOPE.get(k or "", frozenset({k}))
            )
            if others > 0 or (men.kind, men.count) in references:
                continue  # the total is given elsewhere in the sentence (or given again)
            references.add((men.kind, men.count))
            groups[-1].append(men)
            continue
        prev = groups[-1][-1] if groups[-1] else None
        opener = sent[prev.phrase_end : men.start] if prev is not None else ""
        if (
            prev is not None
            and prev.role is not None
            and (":" in opener or _OPENER_WORD_RE.search(opener))
            and _OPENER_RE.fullmatch(opener)
        ):
            # "neutralised 751 drones and 4 missiles: 747 UAVs ...", "500 drones, including
            # 300 Shaheds": the parts of a headline, not a second count of its kind
            headlines.add(prev.role)
        if men.role is not None and men.count is not None and key in seen and not men.anaphor:
            listed = (
                prev is not None
                and _LIST_SEP_RE.fullmatch(sent[prev.phrase_end : men.start]) is not None
                and prev.noun.strip().lower() != men.noun.strip().lower()
            )  # "2 Kinzhal missiles, 4 Iskander-M and 87 drones": two models in one list
            if not listed and men.role not in headlines:  # a headline's parts stay with it
                groups.append([])
                seen = set()
                headlines = set()
        if men.count is not None:
            seen.add(key)
        groups[-1].append(men)
    claims: list[Claim] = []
    kept = [g for g in groups if g]
    # what the whole sentence says once (not once per claim: a sentence can hold many)
    resolve_date = _uk_resolve_date if uk else _resolve_date
    window = _uk_window(sent) if uk else _window(sent)
    source = None if uk else _source(sent)
    planned = not uk and bool(_PLANNED_RE.search(sent))
    rate = None if uk else _RATE_RE.search(sent)
    quote = None if uk else _QUOTE_RE.search(sent)
    sentence_date: tuple[str | None, str | None, bool, str | None] | None = None
    sentence_target: list[str | None] = []  # computed once, when first needed
    for g_index, group in enumerate(kept):
        first = group[0].start if g_index > 0 else 0
        last = kept[g_index + 1][0].start if g_index + 1 < len(kept) else len(sent)
        items: list[Item] = []
        unclassified: list[dict[str, Any]] = []
        for g_pos, men in enumerate(group):
            if men.vague is not None:
                reason = f"quantity '{men.vague}' is not a number"
                unclassified.append(_unread(text, sa, men, reason))
                continue
            if men.role is None:
                default = "no verb says whether launched, destroyed or lost"
                reason = _UNREAD_REASONS.get(men.note or "", default)
                unclassified.append(_unread(text, sa, men, reason))
                continue
            span = (sa + men.start, sa + max(men.phrase_end, men.end))
            raw = text[span[0] : span[1]]
            items.append(
                Item(
                    men.role,
                    men.kind or "unknown",
                    men.count,
                    men.qualifier,
                    men.noun.strip(),
                    raw,
                    span,
                    note=men.note or ("no noun: kind from the launches" if men.anaphor else None),
                    reference=men.reference,
                    of_group=men.of_group,
                    every=men.every,
                    the_one=men.the_one,
                    all_but=men.all_but,
                )
            )
            if men.anaphor:
                items[-1].kind = "?"
                kind = _antecedent_kind(sent, group, men, g_pos)
                if kind is not None:
                    items[-1].kind = kind
                    items[-1].note = "no noun: kind of the count(s) before it"
                elif (kind := _label_kind(sent, uk)) is not None:
                    items[-1].kind = kind  # "Drones: 120 launched, 98 shot down"
                    items[-1].note = "no noun: kind of the line's label"
        if not items and not unclassified:
            continue
        part = sent[first:last] if len(kept) > 1 else sent[first:]
        date_iso, date_text, night, night_of = resolve_date(part, ref_date)
        if date_text is None and first > 0:
            if sentence_date is None:
                sentence_date = resolve_date(sent, ref_date)
            date_iso, date_text, night, night_of = sentence_date
        qualifiers = list(dict.fromkeys(it.qualifier for it in items if it.qualifier))
        if planned:
            qualifiers.append("planned")
        lead_from = kept[g_index - 1][-1].phrase_end if g_index > 0 else 0
        if _COMPARISON_RE.search(sent, lead_from, group[0].start):
            qualifiers.append("comparison")  # "..., surpassing the 477 drones of June 29"
        if rate:
            qualifiers.append("per " + ("day" if "da" in rate.group("rate").lower() else "night"))
        period = (_UK_PERIOD_RE if uk else _PERIOD_RE).search(part)
        target = _uk_region(part) if uk else _targets(part)
        if target is None and first > 0:
            if not sentence_target:
                sentence_target.append(_uk_region(sent) if uk else _targets(sent))
            target = sentence_target[0]
        claims.append(
            Claim(
                text=text[sa:sb],
                span=(sa, sb),
                items=items,
                unclassified=unclassified,
                date=date_iso,
                date_text=date_text,
                night=night,
                night_of=night_of,
                window=dict(window) if window else None,
                target=target,
                source=source,
                quote=quote.group(1) if quote else None,
                qualifiers=qualifiers,
                period=period.group().strip() if period else None,
            )
        )
    return claims


_MISSILE_KINDS = frozenset({"missile", "cruise_missile", "ballistic_missile"})
_LABEL_RE = re.compile(r"[\s\-]*(?P<label>[^\W\d_][^\W\d]*(?:[\s-][^\W\d_][^\W\d]*){0,3})\s*:")
"""A line's label before a colon ("Drones: 120 launched, 98 shot down")."""


def _label_kind(sent: str, uk: bool = False) -> str | None:
    """The weapon kind a line's label names ("Drones: ..." gives ``drone``), or None."""
    label = _LABEL_RE.match(sent)
    if label is None:
        return None
    kind = (_uk_classify_phrase if uk else _classify_phrase)(label["label"])[0]
    return None if kind in (None, "skip", "interceptor") else kind


def _continues_outcomes(prev: Claim, claim: Claim) -> bool:
    """Outcomes without launches on either side, of the same kinds as ``prev``'s: "Air defence
    destroyed 416 drones and 31 missiles. A further 47 drones were lost." (one claim)."""
    if prev.launched or claim.launched or not (prev.destroyed or prev.lost):
        return False
    return _outcomes_fit(prev, claim, set(prev.destroyed) | set(prev.lost))


def _kinds_of(claim: Claim) -> set[str]:
    """The weapon kinds a claim counts, widened to their families (drones and decoys, missiles)."""
    out: set[str] = set()
    for it in claim.items:
        if it.kind in ("drone", "decoy"):
            out |= {"drone", "decoy"}
        elif it.kind in _MISSILE_KINDS or it.kind == "missile":
            out |= {"missile"}
        elif it.kind not in ("?", "unknown"):
            out.add(it.kind)
    return out


def _launches_after_outcomes(prev: Claim, claim: Claim) -> bool:
    """Outcomes only in ``prev``, launches only in ``claim`` (no comparison), and ``prev``'s
    outcomes fit those launches, no more of any kind than were launched: "Air defence downed 50
    drones. Russia had launched 70 drones and 3 missiles." (one claim)."""
    if prev.launched or not (prev.destroyed or prev.lost) or not claim.launched:
        return False
    if any(it.role != "launched" for it in claim.items) or "comparison" in claim.qualifiers:
        return False
    if not _outcomes_fit(claim, prev):
        return False
    launched = claim.launched
    out: dict[str, int] = {}
    for counts in (prev.destroyed, prev.lost):
        for kind, n in counts.items():
            out[kind] = out.get(kind, 0) + n
    for kind, n in out.items():
        scope = _SCOPE.get(kind, frozenset({kind}))
        if kind == "unknown":
            room = sum(launched.values())
        else:
            room = sum(m for k, m in launched.items() if k in scope or kind in _SCOPE.get(k, ()))
        if n > room:
            return False
    return True


def _outcomes_fit(prev: Claim, claim: Claim, kinds: set[str] | None = None) -> bool:
    """Can the outcomes of ``claim`` refer to the launches of ``prev`` (or to ``kinds``)?"""
    launched = set(prev.launched) if kinds is None else kinds
    if "unknown" in launched:
        return True
    for it in claim.items:
        if it.kind in ("unknown", "?") or it.kind in launched:
            continue
        if it.kind in _MISSILE_KINDS and launched & _MISSILE_KINDS:
            continue
        if it.kind in ("drone", "decoy") and launched & {"drone", "decoy"}:
            continue
        return False
    return True


def _enrich(claim: Claim, sent: str, uk: bool = False) -> None:
    if uk:
        extra = _uk_window(sent)
        if extra:
            claim.window = {**extra, **(claim.window or {})}
        return
    if claim.target is None:
        m = _TARGET_RES[0].search(sent) or _TARGET_RES[1].search(sent)
        if m:
            claim.target = _targets(sent)
    if claim.window is None:
        claim.window = _window(sent)
    elif "as_of" not in claim.window:
        extra = _window(sent)
        if extra and "as_of" in extra:
            claim.window["as_of"] = extra["as_of"]


def _antecedent_kind(
    sent: str, group: list[_Mention], men: _Mention, pos: int | None = None
) -> str | None:
    """Kind a bare count refers to within its sentence, or ``None`` to use the claim's launches.

    An elliptical count ("270 drones were shot down, 208 were lost") takes the kind of the count
    before it. "Of which"/"of them" refers to the whole list before it ("539 drones and 11
    missiles, of which 476 ..."): its kind is that list's kind when the list has one kind.
    """
    idx = group.index(men) if pos is None else pos
    before = [
        x
        for x in group[max(0, idx - MAX_LIST) : idx]  # the typed counts before it
        if x.kind not in (None, "skip", "?") and (x.count is not None or x.vague is not None)
    ]
    if not before:
        return None
    last = before[-1]
    if not men.of_group:
        if last.role == "launched" and last.count is not None and (men.count or 0) > last.count:
            return None  # "60 drones, including 20 decoys, shooting down 50": not of the 20
    # "of which" refers to the whole list before it; so does a bare count after a list of one
    # role ("shot down 277 drones and 19 missiles, while 10 others were lost"), not to its last
    run = [last]
    for x in reversed(before[:-1]):
        gap = sent[x.phrase_end : run[0].start]
        if re.fullmatch(r"\s*(?:,|and|,\s*and|or|та|і|й|,\s*та)\s*", gap) and (
            men.of_group or x.role == last.role
        ):
            run.insert(0, x)
        else:
            break
    return _common_kind({x.kind or "unknown" for x in run})


def _common_kind(kinds: set[str]) -> str:
    """The one kind of a group of counts: theirs when they share it, ``drone`` for drones and
    decoys, ``missile`` for missiles of several kinds, else ``unknown``."""
    if len(kinds) == 1:
        return next(iter(kinds))
    for family in ("drone", "missile"):
        if kinds and kinds <= _SCOPE[family]:
            return family
    return "unknown"


def _same_night(claim: Claim, prev: Claim) -> bool:
    """Can two claims be of one night? When either gives no date, or only "overnight" (a night
    with no date of its own: the night the report is about), or both the same resolved date."""
    if claim.date_text is None or prev.date_text is None:
        return True
    if any(c.night and c.date is None for c in (claim, prev)):
        return True
    return claim.date is not None and claim.date == prev.date


_OTHER_TIME_RE = re.compile(
    r"\b(?:previous|earlier|another|other|next|following|preceding)\s+"
    r"(?:night|day|evening|morning|attack|raid|strike|week|month)\b"
    r"|\b(?:night|day|week)\s+(?:before|earlier|after)\b|\bthe\s+week\s+before\b"
    r"|(?<!\w)(?:попередн|наступн)\w*\s+(?:ноч|доб|дн|тижн|атак)\w*",
    re.IGNORECASE,
)
"""Words that put a claim on another night than the one before it."""


def _repeats(claim: Claim, prev: Claim, norm: str) -> bool:
    """Does ``claim`` repeat what ``prev`` gives, and add to it? Either every destroyed count of
    ``prev`` again (same kinds, same numbers; launches and lost counts that repeat ``prev``'s or
    are new kinds), or, after a headline that gives launches only ("Russia launches 355 drones
    at Ukraine", a line without a full stop), every launch again. The repeated items are marked
    ``repeated``: of a role the later text gives in full, ``prev``'s (the later text stands for
    them, with its structure); otherwise the later text's counts that ``prev`` gives. Dates are
    checked by the caller."""

    def gives_again(role: str) -> bool:
        before, now = prev.counts(role), claim.counts(role)
        return all(now.get(kind) == n for kind, n in before.items())

    def no_other(role: str) -> bool:  # no count of a kind ``prev`` gives, with another number
        before = prev.counts(role)
        return all(before.get(kind, n) == n for kind, n in claim.counts(role).items())

    if _OTHER_TIME_RE.search(norm, claim.span[0], claim.span[1]):
        return False  # "On another night it shot down 40 drones": the same numbers, not a repeat
    if prev.counts("destroyed"):
        if not (gives_again("destroyed") and no_other("launched") and no_other("lost")):
            return False
    else:
        headline = not re.search(r"[.!?]\s*$", norm[prev.span[0] : prev.span[1]])
        if not (headline and prev.launched and not prev.counts("lost")):
            return False
        if not gives_again("launched") or "\n" not in norm[prev.span[1] : claim.span[0]]:
            return False
    for role in ROLES:
        before = prev.counts(role)
        if before and gives_again(role):
            # the later text gives every count of this role again: it stands for them, with
            # its own structure ("537 weapons, including 477 drones and 60 missiles")
            for it in prev.items:
                it.repeated = it.repeated or it.role == role
        else:
            for it in claim.items:
                if it.role == role and it.count is not None and before.get(it.kind) == it.count:
                    it.repeated = True
    return True


def _only_repeats_launches(claim: Claim, prev: Claim) -> bool:
    """True when the claim's launches (if any) only repeat ``prev``'s totals ("11 of the 19")."""
    launched = [it for it in claim.items if it.role == "launched"]
    before = prev.launched

    def given(kind: str) -> int | None:  # "both missiles" repeats 2 Iskander-M launched
        scope = _SCOPE.get(kind, frozenset({kind}))
        return sum(n for k, n in before.items() if k in scope) if kind in _SCOPE else None

    return all(
        it.reference and it.count in (before.get(it.kind), given(it.kind)) for it in launched
    )


_ADDED_RE = re.compile(
    r"\b(?:further|another|more|additional|additionally|also|besides|other|others)\b"
    r"|(?<!\w)(?:ще|також|додатково|крім\s+того|інші|інших)(?!\w)",
    re.IGNORECASE,
)
"""Words that make an outcome count an addition, not a part ("A further 47 drones were lost")."""


def _split_head(prev: Claim, claim: Claim, norm: str) -> Item | None:
    """The neutralised count of ``prev`` that ``claim``'s outcomes split into destroyed and lost
    ("Air defence neutralised 476 drones. 268 were shot down and 208 were locationally lost"),
    or ``None``. The claim gives outcomes only, each within the headline's kind (a count without
    a noun fits any), adding up to at most the headline, without a word that makes them an
    addition ("a further 47 were lost"); the headline is the nearest destroyed count before
    them that can hold them, with a neutralised verb in its sentence and no parts yet."""
    parts = [it for it in claim.items if it.count is not None]
    if not parts or claim.unclassified or not prev.items:
        return None
    if any(it.role not in ("destroyed", "lost") or it.every for it in parts):
        return None
    lo = min(it.span[0] for it in parts)
    if _ADDED_RE.search(norm, max(0, lo - 40), max(it.span[1] for it in parts) + 12):
        return None
    total = sum(it.count or 0 for it in parts)
    kinds = {it.kind for it in parts} - {"?"}
    for pos in range(len(prev.items) - 1, -1, -1):  # the nearest destroyed count first
        head = prev.items[pos]
        if head.span[0] < lo - MAX_SENTENCE_CHARS:
            return None
        if head.split:
            return None  # split already
        if head.role != "destroyed" or head.count is None:
            continue
        scope = _SCOPE.get(head.kind, frozenset({head.kind}))
        if not kinds <= scope or total > head.count:
            continue
        window = max(0, head.span[0] - 200)  # the verb stands in the headline's clause
        start = max(norm.rfind(".", window, head.span[0]), norm.rfind("\n", window, head.span[0]))
        found = _NEUTRALISED_RE.search(norm, max(start + 1, window), head.span[1])
        between = norm[found.end() : head.span[0]] if found else ""
        if any(role == "destroyed" for _a, _b, role in _cues(between, _is_uk(between))):
            return None  # "знешкоджено 1 ракету, підтверджено збиття 85 БпЛА": not the 85's verb
        return head if found else None
    return None


def _link_splits(claim: Claim) -> None:
    """Link the parts merged by :func:`_split_head` to the headline before them."""
    used: dict[int, int] = {}
    for i, it in enumerate(claim.items):
        if not it.split or it.breakdown_of is not None:
            continue
        for j in range(i - 1, -1, -1):
            head = claim.items[j]
            scope = _SCOPE.get(head.kind, frozenset({head.kind}))
            if (
                head.role == "destroyed"
                and not head.split
                and head.breakdown_of is None
                and it.kind in scope
                and used.get(j, 0) + (it.count or 0) <= (head.count or 0)
            ):
                it.breakdown_of = j
                used[j] = used.get(j, 0) + (it.count or 0)
                break


def _merge(prev: Claim, claim: Claim, text: str) -> None:
    claim.items = [it for it in claim.items if not (it.role == "launched" and it.reference)]
    prev.items.extend(claim.items)
    prev.unclassified.extend(claim.unclassified)
    prev.span = (prev.span[0], claim.span[1])  # the text is cut once, at the end
    for attr in ("date", "date_text", "night_of", "target", "source", "quote"):
        if getattr(prev, attr) is None and getattr(claim, attr) is not None:
            setattr(prev, attr, getattr(claim, attr))
    if claim.window:
        prev.window = {**claim.window, **(prev.window or {})}
    prev.night = prev.night or claim.night
    for q in claim.qualifiers:
        if q not in prev.qualifiers:
            prev.qualifiers.append(q)


def _fill_every(claim: Claim) -> None:
    """ "Russia launched 14 drones and 2 missiles. All were shot down.": one outcome count per
    launched kind, as many as launched; "all but 3 were shot down": one count, the launches less
    3 (of their kind when they are of one); "the missiles were intercepted": those launched of
    the noun's kind ("the missile": when exactly one was). Without such launches in the claim,
    or when the claim already gives that outcome as a number, the count is unread."""
    items: list[Item] = []
    given = [(x.role, x.kind) for x in claim.items if not x.every and x.count is not None]

    def overlaps(a: str, b: str) -> bool:
        return a == b or a in _SCOPE.get(b, frozenset()) or b in _SCOPE.get(a, frozenset())

    for it in claim.items:
        if not it.every:
            items.append(it)
            continue
        launched = claim.launched
        reason = "'all' of a total the text does not give"
        if it.kind not in ("?", "unknown"):
            scope = _SCOPE.get(it.kind, frozenset({it.kind}))
            launched = {k: n for k, n in launched.items() if k in scope}
            reason = f"'{it.noun}': as many as launched, which the text does not give"
            if it.the_one and sum(launched.values()) != 1:
                launched = {}
                reason = f"'{it.noun}': the one launched, but the text does not give one"
            elif any(r == it.role and overlaps(k, it.kind) for r, k in given):
                launched = {}  # "... 30 were shot down. The drones were shot down over ..."
                reason = f"'{it.noun}': the text gives this outcome as a number too"
        if it.all_but and launched and sum(launched.values()) >= it.all_but:
            kind = next(iter(launched)) if len(launched) == 1 else "unknown"
            note = f"all but {it.all_but} of those launched"
            items.append(
                replace(it, kind=kind, count=sum(launched.values()) - it.all_but, note=note)
            )
        elif launched and not it.all_but:
            note = "'all': as many as launched"
            items += [replace(it, kind=k, count=n, note=note) for k, n in launched.items()]
        else:
            claim.unclassified.append(
                {
                    "text": it.text,
                    "span": list(it.span),
                    "reason": reason,
                    "kind": None,
                    "role": it.role,
                }
            )
    claim.items = items


def _could_be(claim: Claim, it: Item, kinds: set[str]) -> set[str]:
    """The kinds among ``kinds`` a bare count ``it`` can be of: those of which at least as many
    were launched (where the claim gives launches of that family), and, for a lost count after
    drones and missiles, the drones ("locationally lost", "went off radar": what EW does to
    drones; a missile that is lost "did not reach its target", and says so)."""
    launched = claim.launched
    count = it.count or 0

    def holds(kind: str) -> bool:
        family = next((f for f, scope in _SCOPE.items() if f != "unknown" and kind in scope), kind)
        given = [n for k, n in launched.items() if k in _SCOPE.get(family, frozenset({kind}))]
        return not given or sum(given) >= count

    fits = {k for k in kinds if holds(k)} or kinds
    drones = fits & _SCOPE["drone"]
    lo = it.span[0] - claim.span[0]
    if (
        it.role == "lost"
        and drones
        and fits - drones <= _SCOPE["missile"]
        and _EW_LOST_RE.search(claim.text, lo, lo + 120)
    ):
        return drones
    return fits


_EW_LOST_RE = re.compile(
    r"radar|locational|electronic|jamm|suppress|\bEW\b|локаційн|РЕБ|подавлен", re.IGNORECASE
)
"""How the reports say a drone was lost to electronic warfare (not "failed to reach")."""


def _fill_anaphora(claim: Claim, fallback: str = "unknown") -> None:
    kinds = {it.kind for it in claim.items if it.role == "launched" and it.kind != "?"}
    if not any(it.role == "launched" for it in claim.items):
        # outcomes only: "• 296 БпЛА збито\n• 415 – локаційно втрачені" (the kind of the others)
        kinds = {it.kind for it in claim.items if it.kind not in ("?", "unknown")}
    single = _common_kind(kinds) if kinds else fallback
    run: list[Item] = []  # the outcome counts right before, with their kinds
    for it in claim.items:
        if it.kind == "?":
            # "Shot down 87 drones. Another 21 went off radar.": the kind of the outcome counts
            # right before it when they give one, else the launches'
            kind = _common_kind(_could_be(claim, it, {x.kind for x in run})) if run else "unknown"
            it.kind = single if kind == "unknown" else kind
        if it.role == "launched":
            run = []
        elif it.kind not in ("?", "unknown"):
            run.append(it)


def claims_to_json(claims: list[Claim]) -> list[dict[str, Any]]:
    """JSON-ready list of claims (what ``airshield bulletin parse --json`` prints)."""
    return [c.to_dict() for c in claims]
