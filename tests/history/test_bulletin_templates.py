"""The bulletin reader on generated statements: templates in the Air Force's and the wires'
styles (English and Ukrainian), filled with random counts, read back exactly (hypothesis).

Each template pair gives one raid: launches of drones and missiles, drones and missiles
destroyed, drones lost. Every weapon must be counted once, whatever the numbers (a total that
equals its parts, a lost count that equals what is left, thousands with separators)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from airshield.history.bulletin import parse_bulletin

EN_LAUNCHED = (
    "Russia launched {D} drones and {M} missiles overnight.",
    "Russia attacked Ukraine overnight with {D} Shahed-type drones and {M} missiles, the air"
    " force said.",
    "The enemy attacked with {T} air attack means: {D} strike UAVs and {M} missiles.",
    "Overnight, Russia fired {M} missiles and {D} drones at Ukraine.",
    "Russia launched a total of {T} drones and missiles, including {D} drones and {M} missiles.",
    "In total, {T} aerial targets were recorded: {D} drones and {M} missiles.",
    "Russia attacked Ukraine with {T} weapons overnight - {D} Shahed and decoy drones and {M}"
    " missiles - the air force said.",
    "The air force said Russia had launched {D} drones, including decoys, and {M} cruise and"
    " ballistic missiles.",
)
EN_OUTCOMES = (
    "Air defence shot down {d} drones and {m} missiles, while {l} drones were locationally lost.",
    "Ukrainian forces downed {d} drones and {m} missiles; {l} drones went off radar.",
    "{d} drones and {m} missiles were shot down, and another {l} drones were lost to electronic"
    " warfare.",
    "Air defence neutralised {n} targets: {d} drones and {m} missiles were shot down, {l} drones"
    " were locationally lost.",
    "Air defence shot down {d} drones. Another {l} drones disappeared from radar. {m} missiles"
    " were also destroyed.",
    "Of these, {d} drones and {m} missiles were shot down and {l} drones were jammed.",
    "It said {d} of the drones and {m} of the missiles were shot down, while {l} drones were lost"
    " from radar.",
    "Air defence units shot down or suppressed {n} targets: {d} drones were shot down, {l} were"
    " locationally lost and {m} missiles were destroyed.",
)
UK_LAUNCHED = (
    "У ніч на 9 липня противник атакував {T} засобами повітряного нападу: {D} ударними БпЛА"
    " типу Shahed та дронами-імітаторами, {M} ракетами.",
    "Противник атакував {D} ударними БпЛА та {M} ракетами.",
    "Вночі ворог атакував {M} ракетами та {D} ударними БпЛА типу Shahed.",
    "У ніч на 3 серпня (з 18:00 2 серпня) ворог атакував {D} ударними БпЛА типу Shahed, Гербера"
    " та дронами-імітаторами різних типів, а також {M} ракетами різних типів.",
)
UK_OUTCOMES = (
    "За попередніми даними, збито/подавлено {n} засобів повітряного нападу: {d} БпЛА збито, {l}"
    " – локаційно втрачені; {m} ракет збито.",
    "Збито {d} БпЛА та {m} ракет, ще {l} БпЛА локаційно втрачені.",
    "Протиповітряною обороною знешкоджено {d} ворожих БпЛА та {m} ракет. Ще {l} – локаційно"
    " втрачені.",
    "Станом на 09:00 збито {m} ракет та {d} ударних БпЛА; {l} ворожих БпЛА – локаційно втрачені"
    " (без негативних наслідків).",
    "Збито/подавлено {n} цілей: {d} ударних БпЛА збито, {l} – локаційно втрачені, {m} ракет збито.",
    "Сили ППО знешкодили {d} дронів і {m} ракет, ще {l} безпілотників зникли з радарів.",
)


@st.composite
def raids(draw: st.DrawFn) -> tuple[str, tuple[int, int, int, int, int]]:
    uk = draw(st.booleans())
    launched = draw(st.sampled_from(UK_LAUNCHED if uk else EN_LAUNCHED))
    outcomes = draw(st.sampled_from(UK_OUTCOMES if uk else EN_OUTCOMES))
    drones = draw(st.integers(30, 1_200))
    missiles = draw(st.integers(2, 90))
    lost = draw(st.integers(1, drones // 2))
    destroyed = draw(st.integers(1, drones - lost))
    missiles_destroyed = draw(st.integers(1, missiles))
    commas = not uk and draw(st.booleans())

    def n(x: int) -> str:
        return f"{x:,}" if commas else str(x)

    values = {
        "D": n(drones),
        "M": missiles,
        "T": n(drones + missiles),
        "d": n(destroyed),
        "m": missiles_destroyed,
        "l": lost,
        "n": n(destroyed + missiles_destroyed + lost),
    }
    text = launched.format(**values) + " " + outcomes.format(**values)
    return text, (drones, missiles, destroyed, missiles_destroyed, lost)


@settings(max_examples=300, deadline=None)
@given(raids())
def test_generated_statements_are_read_exactly(raid: tuple[str, tuple[int, ...]]) -> None:
    text, (drones, missiles, destroyed, missiles_destroyed, lost) = raid
    claims = parse_bulletin(text)
    assert len(claims) == 1, [c.to_dict() for c in claims]
    c = claims[0]
    assert c.launched == {"drone": drones, "missile": missiles}, c.to_dict()
    assert c.destroyed == {"drone": destroyed, "missile": missiles_destroyed}, c.to_dict()
    assert c.lost == {"drone": lost}, c.to_dict()
    assert c.launched_total == drones + missiles


TYPED_EN_LAUNCHED = (
    "Russia launched {D} drones, {C} cruise missiles and {B} ballistic missiles overnight.",
    "The enemy attacked with {T} air attack means: {D} Shahed-type strike UAVs and decoy drones,"
    " {C} Kh-101 cruise missiles and {B} Iskander-M ballistic missiles.",
    "Russia fired {M} missiles - {C} Kh-101 cruise missiles and {B} Iskander-M ballistic missiles"
    " - and {D} drones at Ukraine overnight.",
    "Overnight Russia attacked with {D} drones and {M} missiles, including {C} cruise and {B}"
    " ballistic missiles.",
    "In total, {T} air attack assets were detected: {D} UAVs, {C} Kh-101/Kh-55 cruise missiles"
    " and {B} Iskander-M/KN-23 ballistic missiles.",
)
TYPED_EN_OUTCOMES = (
    "Air defence shot down {d} drones, {c} cruise missiles and {b} ballistic missiles; {l} drones"
    " were locationally lost.",
    "As of 09:00, {n} targets were shot down or suppressed: {d} drones were shot down, {l} were"
    " locationally lost, {c} Kh-101 cruise missiles and {b} Iskander-M missiles were destroyed.",
    "Ukrainian forces downed {c} of the cruise missiles, {b} of the ballistic missiles and {d}"
    " drones, while {l} drones went off radar.",
    "Air defence destroyed {d} drones and {mm} missiles ({c} cruise and {b} ballistic); another"
    " {l} drones were lost to EW.",
)
TYPED_UK_LAUNCHED = (
    "У ніч на 9 липня (з 18:00 8 липня) противник атакував {T} засобами повітряного нападу: {D}"
    " ударними БпЛА типу Shahed та дронами-імітаторами різних типів; {M} ракетами: {C} крилатими"
    " ракетами Х-101 та {B} балістичними ракетами Іскандер-М/KN-23.",
    "Противник атакував {B} балістичними ракетами Іскандер-М, {C} крилатими ракетами Х-101 та {D}"
    " ударними БпЛА типу Shahed.",
    "У ніч на 9 липня ворог атакував {T} засобами повітряного нападу, з них {D} ударних БпЛА, {C}"
    " крилатих ракет Х-101 та {B} балістичних ракет Іскандер-М.",
)
TYPED_UK_OUTCOMES = (
    "За попередніми даними, станом на 09:00 протиповітряною обороною збито/подавлено {n} засобів"
    " повітряного нападу:\n– {d} ударних БпЛА збито, {l} – локаційно втрачені;\n– {c} крилатих"
    " ракет Х-101;\n– {b} балістичних ракет Іскандер-М.",
    "Збито {d} БпЛА, {c} крилатих ракет та {b} балістичних ракет; ще {l} БпЛА – локаційно"
    " втрачені.",
    "Знешкоджено {n} цілей: {d} БпЛА збито, {l} – локаційно втрачені, {c} крилатих і {b}"
    " балістичних ракет збито.",
)


@st.composite
def typed_raids(draw: st.DrawFn) -> tuple[str, tuple[int, ...]]:
    uk = draw(st.booleans())
    launched = draw(st.sampled_from(TYPED_UK_LAUNCHED if uk else TYPED_EN_LAUNCHED))
    outcomes = draw(st.sampled_from(TYPED_UK_OUTCOMES if uk else TYPED_EN_OUTCOMES))
    drones = draw(st.integers(30, 1_200))
    cruise, ballistic = draw(st.integers(2, 60)), draw(st.integers(2, 20))
    lost = draw(st.integers(1, drones // 2))
    # the same number destroyed and lost now and then: a coincidence must not merge them
    destroyed = draw(st.one_of(st.just(lost), st.integers(1, drones - lost)))
    c, b = draw(st.integers(1, cruise)), draw(st.integers(1, ballistic))
    values = {
        "D": drones,
        "C": cruise,
        "B": ballistic,
        "M": cruise + ballistic,
        "T": drones + cruise + ballistic,
        "d": destroyed,
        "c": c,
        "b": b,
        "mm": c + b,
        "l": lost,
        "n": destroyed + c + b + lost,
    }
    text = launched.format(**values) + "\n\n" + outcomes.format(**values)
    return text, (drones, cruise, ballistic, destroyed, c, b, lost)


@settings(max_examples=300, deadline=None)
@given(typed_raids())
def test_generated_statements_with_missile_types_are_read_exactly(
    raid: tuple[str, tuple[int, ...]],
) -> None:
    text, (drones, cruise, ballistic, destroyed, c, b, lost) = raid
    claims = parse_bulletin(text)
    assert len(claims) == 1, [x.to_dict() for x in claims]
    got = claims[0]
    kinds = ("drone", "cruise_missile", "ballistic_missile")
    assert got.launched == dict(zip(kinds, (drones, cruise, ballistic), strict=True))
    assert got.destroyed == dict(zip(kinds, (destroyed, c, b), strict=True)), got.to_dict()
    assert got.lost == {"drone": lost}, got.to_dict()


ORDERED_EN = (
    "Air defence shot down {d} drones and {m} missiles overnight. Russia had launched {D} drones"
    " and {M} missiles.",
    "Of the {D} drones and {M} missiles Russia launched overnight, {d} drones and {m} missiles"
    " were shot down and {l} drones were lost.",
    "Russia launched {D} drones and {M} missiles, of which {d} drones and {m} missiles were"
    " downed and {l} drones were jammed.",
    "Ukraine's air force said it shot down {d} of {D} drones and {m} of {M} missiles; {l} drones"
    " were lost from radar.",
    "On the night of July {day}, Russia launched {D} drones and {M} missiles; {d} drones and {m}"
    " missiles were shot down and {l} drones were lost.",
)
ORDERED_UK = (
    "Противник атакував {D} ударними БпЛА та {M} ракетами. З них збито {d} БпЛА та {m} ракет, {l}"
    " БпЛА – локаційно втрачені.",
    "У ніч на {day} липня ворог атакував {D} ударними БпЛА та {M} ракетами, з яких {d} БпЛА та"
    " {m} ракет збито, ще {l} БпЛА локаційно втрачені.",
    "Сили ППО знешкодили {d} з {D} дронів та {m} з {M} ракет; {l} дронів локаційно втрачені.",
)


@st.composite
def one_raid(draw: st.DrawFn, template: str, day: int) -> tuple[str, tuple[dict[str, int], ...]]:
    drones, missiles = draw(st.integers(30, 900)), draw(st.integers(2, 60))
    lost = draw(st.integers(1, drones // 2))
    destroyed, m = draw(st.integers(1, drones - lost)), draw(st.integers(1, missiles))
    text = template.format(D=drones, M=missiles, d=destroyed, m=m, l=lost, day=day)
    want = (
        {"drone": drones, "missile": missiles},
        {"drone": destroyed, "missile": m},
        {"drone": lost} if "{l}" in template else {},
    )
    return text, want


@st.composite
def ordered_texts(draw: st.DrawFn) -> tuple[str, list[tuple[dict[str, int], ...]]]:
    pool = draw(st.sampled_from((ORDERED_EN, ORDERED_UK)))
    if draw(st.booleans()):  # one raid, any order of launches and outcomes
        text, want = draw(one_raid(draw(st.sampled_from(pool)), 9))
        return text, [want]
    # two nights in one text, each dated: two claims, never one
    dated = [t for t in pool if "{day}" in t]
    days = draw(st.lists(st.integers(2, 28), min_size=2, max_size=2, unique=True))
    raids = [draw(one_raid(draw(st.sampled_from(dated)), day)) for day in days]
    joiner = draw(st.sampled_from((" ", "\n\n")))
    return joiner.join(text for text, _ in raids), [want for _, want in raids]


@settings(max_examples=300, deadline=None)
@given(ordered_texts())
def test_generated_statements_in_any_order_and_two_nights_are_read_exactly(
    case: tuple[str, list[tuple[dict[str, int], ...]]],
) -> None:
    text, wants = case
    claims = parse_bulletin(text)
    got = [(c.launched, c.destroyed, c.lost) for c in claims]
    assert got == wants, [c.to_dict() for c in claims]


_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    " fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def _in_words(n: int) -> str:
    """English number words for 0-99 ("forty-two")."""
    if n < 20:
        return _WORDS[n]
    tens, units = divmod(n, 10)
    return _TENS[tens - 2] + (f"-{_WORDS[units]}" if units else "")


@st.composite
def layouts(draw: st.DrawFn) -> tuple[str, tuple[dict[str, int], ...]]:
    """Decoys named apart, number words, labelled lines, bullet lists and daytime raids; now
    and then as many lost as destroyed."""
    layout = draw(st.integers(0, 6))
    drones = draw(st.integers(20, 99) if layout == 1 else st.integers(30, 900))
    missiles = draw(st.integers(2, 60))
    lost = draw(st.integers(1, drones // 2))
    destroyed = draw(st.one_of(st.just(lost), st.integers(1, drones - lost)))
    m = draw(st.integers(1, missiles))
    if layout == 0:
        shaheds, decoys = draw(st.integers(20, 500)), draw(st.integers(5, 400))
        s, x = draw(st.integers(1, shaheds)), draw(st.integers(1, decoys))
        uk = draw(st.booleans())
        text = (
            f"Противник атакував {shaheds} ударними БпЛА типу Shahed та {decoys}"
            f" дронами-імітаторами. Збито {s} Shahed, {x} імітаторів локаційно втрачені."
            if uk
            else f"Russia launched {shaheds} Shahed attack drones and {decoys} decoy drones"
            f" overnight. Air defence shot down {s} Shaheds, and {x} decoys were locationally lost."
        )
        return text, ({"drone": shaheds, "decoy": decoys}, {"drone": s}, {"decoy": x})
    launched = {"drone": drones, "missile": missiles}
    if layout == 1:
        d, mm = draw(st.integers(1, drones)), draw(st.integers(1, missiles))
        text = (
            f"Russia attacked with {_in_words(drones)} drones and {_in_words(missiles)} missiles."
            f" Air defence shot down {_in_words(d)} drones and {_in_words(mm)} missiles."
        )
        return text, (launched, {"drone": d, "missile": mm}, {})
    outcomes = {"drone": destroyed, "missile": m}
    if layout == 2:
        text = (
            f"Drones: {drones} launched, {destroyed} shot down, {lost} lost.\n"
            f"Missiles: {missiles} launched, {m} shot down."
        )
    elif layout == 3:
        text = (
            f"Дрони: {drones} запущено, {destroyed} збито, {lost} локаційно втрачено.\n"
            f"Ракети: {missiles} запущено, {m} збито."
        )
    elif layout == 4:
        text = (
            f"Russia launched {drones} drones and {missiles} missiles.\n- {destroyed} drones shot"
            f" down\n- {lost} drones locationally lost\n- {m} missiles destroyed"
        )
    else:
        text = (
            f"During the day, Russia launched {drones} drones; {destroyed} were shot down and"
            f" {lost} were lost."
            if layout == 5
            else f"Вдень противник атакував {drones} ударними БпЛА; збито {destroyed}, ще {lost}"
            " – локаційно втрачені."
        )
        return text, ({"drone": drones}, {"drone": destroyed}, {"drone": lost})
    return text, (launched, outcomes, {"drone": lost})


@settings(max_examples=300, deadline=None)
@given(layouts())
def test_generated_layouts_are_read_exactly(case: tuple[str, tuple[dict[str, int], ...]]) -> None:
    text, want = case
    claims = parse_bulletin(text)
    got = [(c.launched, c.destroyed, c.lost) for c in claims]
    assert got == [want], [c.to_dict() for c in claims]
