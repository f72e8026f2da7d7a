"""Bulletin parser on hand-written text (Air Force statements, wire copy, news prose)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airshield.history.bulletin import Claim, claims_to_json, parse_bulletin


def one(text: str, **kw: object) -> Claim:
    claims = parse_bulletin(text, **kw)  # type: ignore[arg-type]
    assert len(claims) == 1, [c.text for c in claims]
    return claims[0]


AF_STATEMENT = (
    "On the night of 12 March (from 19:00 on 11 March), the enemy attacked with 214 air attack "
    "means: 187 Shahed-type strike UAVs and simulator drones of various types from the "
    "directions of Kursk and Millerovo; 27 missiles (20 Kh-101 cruise missiles and 7 "
    "Iskander-M/KN-23 ballistic missiles).\n\n"
    "As of 09:00, air defence shot down 176 targets: 96 Shahed-type UAVs, 18 Kh-101 cruise "
    "missiles and 2 Iskander-M ballistic missiles. 58 enemy imitator drones were locationally "
    "lost (without negative consequences).\n"
    "The main direction of the strike was the city of Lviv and Lviv oblast.\n"
)


def test_air_force_statement() -> None:
    c = one(AF_STATEMENT)
    # the headline (214) and the missile line (27) are broken down, never added to their parts
    assert c.launched == {"drone": 187, "cruise_missile": 20, "ballistic_missile": 7}
    assert c.stated("launched") == {
        "unknown": 214,
        "drone": 187,
        "missile": 27,
        "cruise_missile": 20,
        "ballistic_missile": 7,
    }
    assert c.launched_total == 214
    # 176 targets, of which the statement lists 116 by type: 60 stay of unstated kind
    assert c.destroyed == {
        "unknown": 60,
        "drone": 96,
        "cruise_missile": 18,
        "ballistic_missile": 2,
    }
    assert sum(c.destroyed.values()) == 176
    assert c.lost == {"decoy": 58}
    assert c.date == "--03-12" and c.night and c.night_of == "--03-11"
    assert c.window == {"start": "19:00", "as_of": "09:00"}
    assert c.target == "Lviv and Lviv oblast"
    with_year = one(AF_STATEMENT, ref_date=date(2025, 3, 12))
    assert with_year.date == "2025-03-12" and with_year.night_of == "2025-03-11"


WIRE = (
    "KYIV, March 12, 2025 (Wire) - Russia launched 187 drones and 27 missiles at Ukraine "
    "overnight, the Ukrainian air force said on Wednesday, with western Lviv region the main "
    "target.\n\n"
    'Air defences shot down 96 drones and 20 missiles, while another 58 drones were "lost" from '
    "radars, likely due to electronic warfare, the air force said in a statement.\n\n"
    "At least three people were injured and more than 20 buildings damaged, regional governor "
    "Maksym Kozytskyi said.\n"
)


def test_wire_story_across_paragraphs() -> None:
    c = one(WIRE)
    assert c.launched == {"drone": 187, "missile": 27}
    assert c.destroyed == {"drone": 96, "missile": 20}
    assert c.lost == {"drone": 58}
    assert c.date == "2025-03-12"  # dateline
    assert c.night and c.night_of == "2025-03-11"
    assert c.source == "the Ukrainian air force"
    assert c.target == "Lviv region"


def test_spans_point_at_the_text() -> None:
    for c in parse_bulletin(WIRE + AF_STATEMENT):
        assert WIRE + AF_STATEMENT != ""
        full = WIRE + AF_STATEMENT
        assert full[c.span[0] : c.span[1]] == c.text
        for it in c.items:
            assert full[it.span[0] : it.span[1]] == it.text
            assert it.text.startswith(str(it.count)[0]) or not it.text[0].isdigit()


@pytest.mark.parametrize(
    ("text", "launched", "qualifier"),
    [
        (
            "Russia is looking to launch more than 500 long-range drones per night in future "
            "attacks, reports say.",
            {"drone": 500},
            "more than, planned, per night",
        ),
        (
            "On June 1, it launched its largest drone assault with 472 strikes in one night.",
            {"unknown": 472},
            None,
        ),
        ("Moscow hit Ukraine with a total of 537 missiles and drones.", {"unknown": 537}, None),
        (
            "Russian forces pummeled Ukraine with 539 drones and 11 missiles, the air force said.",
            {"drone": 539, "missile": 11},
            None,
        ),
        (
            "Russia fired eleven ballistic missiles and two hundred and six drones at Ukraine.",
            {"ballistic_missile": 11, "drone": 206},
            None,
        ),
        (
            "The enemy used two dozen Geran drones and a Kalibr cruise missile overnight.",
            {"drone": 24, "cruise_missile": 1},
            None,
        ),
        ("Russia sent nearly 1,000 Shaheds in a week.", {"drone": 1000}, "nearly"),
        (
            "Russia launched some 1.2 thousand attack drones over the week.",
            {"drone": 1200},
            "about",
        ),
        (
            "The attack involved at least 40 Gerbera decoys and 60 Shahed drones.",
            {"decoy": 40, "drone": 60},
            "at least",
        ),
        (
            "Russia attacked with 95 Shahed and decoy drones and 4 Kinzhal missiles.",
            {"drone": 95, "ballistic_missile": 4},
            None,
        ),
        (
            "Russia could soon be able to launch up to 1,000 drones a day.",
            {"drone": 1000},
            "up to, planned, per day",
        ),
        (
            "Overnight the enemy launched 12 Iskander-K and Kalibr missiles.",
            {"cruise_missile": 12},
            None,
        ),
        ("Russia attacked with 6 cruise and ballistic missiles.", {"missile": 6}, None),
    ],
)
def test_launch_phrasings(text: str, launched: dict[str, int], qualifier: str | None) -> None:
    c = one(text)
    assert c.launched == launched
    assert c.qualifier == qualifier


@pytest.mark.parametrize(
    ("text", "destroyed", "lost"),
    [
        (
            "Air defence forces shot down or suppressed 476 of the 550 air attack means.",
            {"unknown": 476},
            {},
        ),
        (
            "Russian air defenses have intercepted nearly 1,000 Ukrainian fixed-wing UAVs.",
            {"drone": 1000},
            {},
        ),
        (
            "Ukrainian forces downed 2 Kinzhal hypersonic missiles and 4 Kalibrs.",
            {"ballistic_missile": 2, "cruise_missile": 4},
            {},
        ),
        (
            "270 Shahed UAVs were shot down, 208 were locationally lost.",
            {"drone": 270},
            {"drone": 208},
        ),
        ("Forty drones were jammed by electronic warfare.", {}, {"drone": 40}),
    ],
)
def test_outcome_phrasings(text: str, destroyed: dict[str, int], lost: dict[str, int]) -> None:
    c = one(text)
    assert c.destroyed == destroyed
    assert c.lost == lost


def test_of_which_refers_to_the_list_before() -> None:
    c = one("Russia launched 539 drones and 11 missiles, of which 476 were shot down.")
    assert c.destroyed == {"unknown": 476}
    c = one(
        "It said 718 drones were neutralised, of which 296 were lost to jamming, and seven "
        "of the 13 missiles were shot down."
    )
    # "neutralised" counts destroyed and lost alike: the 296 lost are among the 718, so 422
    # destroyed (the record's destroyed and not-reached counts are disjoint too)
    assert c.destroyed == {"drone": 422, "missile": 7}
    assert c.lost == {"drone": 296}


def test_outcome_sentence_joins_previous_claim() -> None:
    c = one("Russia fired 30 drones at Odesa overnight. Of those, 25 were destroyed.")
    assert c.launched == {"drone": 30} and c.destroyed == {"drone": 25}
    assert c.target == "Odesa"


def test_outcomes_of_another_kind_do_not_join() -> None:
    claims = parse_bulletin(
        "In July, Russia launched a record 6,297 long-range drones. "
        "Ukrainian forces intercepted 2 Kinzhal missiles over the sea."
    )
    assert [c.launched for c in claims] == [{"drone": 6297}, {}]
    assert claims[1].destroyed == {"ballistic_missile": 2}


def test_repeated_kind_starts_a_new_claim() -> None:
    claims = parse_bulletin(
        "Russia launched 550 drones overnight, surpassing the record of 479 drones set last month."
    )
    assert [c.launched for c in claims] == [{"drone": 550}, {"drone": 479}]


@pytest.mark.parametrize(
    "text",
    [
        "The administration has redirected 20,000 anti-drone missiles away from Ukraine.",
        "Ukraine asked for 10 more Patriot systems, each interceptor costing $4 million.",
        "Russian missile strikes killed 17 people and injured over 200 in Dnipro.",
        "Production rose from 21 to 70 drones a day, with 12-15 new launch sites.",
        "The war began on 24 February 2022 at 05:00.",
        "We counted on this project: 20,000 missiles.",
    ],
)
def test_not_raid_claims(text: str) -> None:
    for c in parse_bulletin(text):
        assert not c.launched and not c.destroyed and not c.lost, c.to_dict()


def test_production_rate_is_not_a_launch() -> None:
    claims = parse_bulletin("Russia now produces 70 drones a day.")
    assert all(not c.launched for c in claims)


def test_vague_quantities_are_reported_not_guessed() -> None:
    c = one("Overnight, Russia also reported intercepting dozens of Ukrainian drones.")
    assert not c.destroyed
    assert c.unclassified and c.unclassified[0]["reason"].startswith("quantity 'dozens'")
    assert c.unclassified[0]["kind"] == "drone"


def test_bare_count_without_antecedent_is_unknown() -> None:
    c = one("Air defence shot down 476 overnight.")
    assert c.destroyed == {"unknown": 476}


def test_dates_and_weekdays() -> None:
    ref = date(2025, 7, 4)  # a Friday
    c = one("On Sunday, Moscow hit Ukraine with a total of 537 missiles and drones.", ref_date=ref)
    assert c.date == "2025-06-29"
    c = one("Russia launched 20 drones overnight into Friday.", ref_date=ref)
    assert c.date == "2025-07-04" and c.night and c.night_of == "2025-07-03"
    c = one("Russia launched 20 drones on the night of 3-4 July 2025.")
    assert c.date == "2025-07-04" and c.night_of == "2025-07-03"
    c = one("Russia launched 20 drones on July 9, 2025.")
    assert c.date == "2025-07-09"
    c = one("Russia launched 20 drones on Friday.")
    assert c.date is None and c.date_text == "on Friday"  # no publication date: not resolved


def test_targets_and_sources() -> None:
    c = one(
        "Russia launched 300 drones against Kharkiv and Odesa, according to the regional "
        "military administration."
    )
    assert c.target == "Kharkiv and Odesa"
    assert c.source == "the regional military administration"
    c = one(
        'The "main direction of the strike" was Kyiv, where Russia launched 40 drones, '
        "said Yuriy Ihnat, the air force spokesman."
    )
    assert c.target == "Kyiv"
    assert c.source == "Yuriy Ihnat"
    assert c.quote == "main direction of the strike"


def test_json_shape() -> None:
    out = claims_to_json(parse_bulletin(WIRE))
    assert isinstance(out, list) and len(out) == 1
    for key in ("launched", "destroyed", "lost", "text", "date", "target", "qualifier"):
        assert key in out[0]
    assert out[0]["items"][0]["span"] == list(parse_bulletin(WIRE)[0].items[0].span)


NOUNS = {
    "drones": "drone",
    "Shahed drones": "drone",
    "attack UAVs": "drone",
    "decoy drones": "decoy",
    "cruise missiles": "cruise_missile",
    "Kalibr missiles": "cruise_missile",
    "ballistic missiles": "ballistic_missile",
    "Iskander-M missiles": "ballistic_missile",
    "missiles": "missile",
    "aerial targets": "unknown",
}


@settings(max_examples=120, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(2, 5000), st.sampled_from(sorted(NOUNS))),
        min_size=1,
        max_size=3,
        unique_by=lambda t: NOUNS[t[1]],
    ),
    st.sampled_from(
        [
            "Russia launched {}.",
            "The enemy attacked Ukraine with {} overnight.",
            "Moscow fired {} at Kyiv, officials said.",
        ]
    ),
)
def test_generated_launch_sentences(items: list[tuple[int, str]], template: str) -> None:
    listed = [f"{n:,} {noun}" for n, noun in items]
    body = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
    c = one(template.format(body))
    assert c.launched == {NOUNS[noun]: n for n, noun in items}
    assert not c.destroyed and not c.lost


def test_named_antecedent_and_repeated_total() -> None:
    c = one(
        "Russia launched 312 drones and 19 missiles overnight. Of the drones, 181 were shot "
        "down and 96 were lost. Air defences also destroyed eleven of the 19 missiles."
    )
    assert c.launched == {"drone": 312, "missile": 19}
    assert c.destroyed == {"drone": 181, "missile": 11}
    assert c.lost == {"drone": 96}


def test_example_bulletin_file() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "examples" / "bulletin.txt").read_text()
    claims = parse_bulletin(text)
    first = claims[0]
    assert first.launched == {"drone": 312, "missile": 19}
    assert first.destroyed["drone"] == 181 and first.lost == {"drone": 96}
    assert first.date == "2031-03-18" and first.target == "Vinnytsia"
    last = claims[-1]
    assert last.launched == {"drone": 700} and last.qualifier == "more than, planned, per night"


def test_field_spans_point_at_the_text() -> None:
    text = (
        "Russia launched 40 drones at Kharkiv overnight into Friday, according to the "
        'regional governor, who called it "a night of terror".'
    )
    c = one(text, ref_date=date(2025, 7, 4))
    assert set(c.spans) >= {"date", "target", "source", "quote"}
    for name, value in (
        ("date", c.date_text),
        ("target", c.target),
        ("source", c.source),
        ("quote", c.quote),
    ):
        a, b = c.spans[name]
        assert text[a:b] == value


@pytest.mark.parametrize(
    ("text", "launched", "qualifier"),
    [
        ("Російська армія запустила близько 600 дронів.", {"drone": 600}, "about"),
        ("Ворог атакував Одесу двома десятками дронів.", {"drone": 20}, "about"),
        ("Противник застосував понад 300 ударних дронів.", {"drone": 300}, "more than"),
        ("Противник застосував щонайменше 40 ракет.", {"missile": 40}, "at least"),
        ("Противник застосував 40 ракет.", {"missile": 40}, None),
        ("The Russians launched 400-plus drones.", {"drone": 400}, "more than"),
        ("The Russians launched 500+ drones.", {"drone": 500}, "more than"),
        ("The Russians launched 1,200-odd drones.", {"drone": 1200}, "about"),
    ],
)
def test_qualifiers_and_round_figures(
    text: str, launched: dict[str, int], qualifier: str | None
) -> None:
    (claim,) = parse_bulletin(text)
    assert claim.launched == launched
    assert claim.qualifier == qualifier


@pytest.mark.parametrize("when", ["Уночі", "Вночі", "Минулої ночі", "Цієї ночі"])
def test_ukrainian_relative_night(when: str) -> None:
    (claim,) = parse_bulletin(
        f"{when} ворог атакував 87 ударними БпЛА.", ref_date=date(2025, 6, 12)
    )
    assert (claim.date, claim.night, claim.night_of) == ("2025-06-12", True, "2025-06-11")
    (undated,) = parse_bulletin(f"{when} ворог атакував 87 ударними БпЛА.")
    assert (undated.date, undated.night, undated.night_of) == (None, True, None)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        (
            "The air force said Russia launched 1,200 drones over the past week.",
            "over the past week",
        ),
        ("Russia launched 1,000 drones over three days, Ukraine said.", "over three days"),
        ("In 5 nights Russia launched 1,200 drones.", "In 5 nights"),
        (
            "Russia has launched 6,000 drones since the start of the year.",
            "since the start of the year",
        ),
        ("Russia launched 300 drones overnight.", None),
        ("Russia launched 300 drones in two waves.", None),
        ("Ukraine downed 1,200-odd drones over the weekend.", "over the weekend"),
        (
            "Since the beginning of the year, Russia fired 30,000 drones.",
            "Since the beginning of the year",
        ),
        ("Загалом протягом тижня ворог випустив понад 1300 ударних дронів.", "протягом тижня"),
        ("З початку року росіяни запустили понад 20000 дронів.", "З початку року"),
        ("Загалом від початку року ворог застосував понад 28 000 дронів.", "від початку року"),
        (
            "З початку повномасштабного вторгнення ворог випустив понад 40 000 дронів.",
            "З початку повномасштабного вторгнення",
        ),
        (
            "Since the start of the full-scale invasion, Russia has fired 40,000 drones.",
            "Since the start of the full-scale invasion",
        ),
        ("From the start of the war Russia launched 40,000 drones.", "From the start of the war"),
        ("In 2025, Russia launched more than 50,000 drones.", "In 2025"),
        (
            "In the first half of the year Russia launched 25,000 drones.",
            "In the first half of the year",
        ),
        ("Russia launched 810 drones overnight, the largest attack in 2025.", None),
        ("За червень росіяни запустили 5 438 дронів.", "За червень"),
        ("Протягом липня ворог застосував 6 300 дронів.", "Протягом липня"),
        ("За 9 липня ворог застосував 728 дронів.", None),  # a day, not the month
        ("За три доби ворог запустив 900 дронів.", "За три доби"),
        ("Протягом доби ворог застосував понад 300 ударних дронів.", None),
        ("У ніч на 12 жовтня ворог атакував 100 БпЛА.", None),
    ],
)
def test_period_totals_are_marked(text: str, period: str | None) -> None:
    (claim,) = parse_bulletin(text)
    assert claim.period == period


@pytest.mark.parametrize(
    ("text", "qualifiers"),
    [
        (
            "Russia launched 539 drones, surpassing the 477 drones launched on June 29.",
            [None, "comparison"],
        ),
        ("It came days after a record barrage of 479 drones.", ["comparison"]),
        ("Russia launched 300 drones, up from 200 drones the night before.", [None, "comparison"]),
        ("It broke the previous record of 728 drones launched on July 9.", ["comparison"]),
        ("Russia launched a record 810 drones.", [None]),
        ("The previous night, Russia launched 300 drones.", [None]),
        ("Two days after the strike on Kyiv, Russia launched 300 drones.", [None]),
    ],
)
def test_comparison_claims_are_qualified(text: str, qualifiers: list[str | None]) -> None:
    assert [c.qualifier for c in parse_bulletin(text)] == qualifiers


@pytest.mark.parametrize(
    "text",
    [
        "Air defence downed 50 drones. Russia had launched 30 drones and 3 missiles.",  # 50 > 30
        "Ukraine shot down 50 drones overnight. On June 1, Russia launched 472 drones.",
        "Ukraine shot down 50 drones overnight. Russia launched 472 drones last week.",
    ],
)
def test_launches_after_outcomes_stay_apart_when_they_cannot_be_the_same_raid(text: str) -> None:
    """Outcomes, then launches that cannot hold them (fewer, another date, another period):
    two claims, never one raid with more destroyed than launched."""
    claims = parse_bulletin(text)
    assert len(claims) == 2, [c.to_dict() for c in claims]
    assert claims[0].destroyed == {"drone": 50} and not claims[0].launched
    assert claims[1].launched and not claims[1].destroyed


@pytest.mark.parametrize(
    "text",
    [
        "Drones: 120 launched, 98 shot down.\n\nMissiles: 10 launched, 8 shot down.",  # a blank line
        "Drones: 120 launched, 98 shot down.\nDrones: 100 launched, 90 shot down.",  # same kind
        "July 4 - Drones: 120 launched, 98 shot down.\nJuly 5 - Missiles: 10 launched, 8 shot down.",
    ],
)
def test_labelled_lines_stay_apart_when_they_are_not_one_statement(text: str) -> None:
    """Labelled lines are one claim only when adjacent, of other kinds and of no other date."""
    claims = parse_bulletin(text)
    assert len(claims) == 2, [c.to_dict() for c in claims]


@pytest.mark.parametrize(
    ("text", "launched", "destroyed", "lost"),
    [
        (  # a headline with outcomes, then the body giving them again and adding to them
            "Ukraine says it downed 288 drones, 45 missiles in massive overnight attack\n\n"
            "Russia launched 355 drones and 64 missiles at Ukraine overnight, the air force said."
            " Ukrainian air defences shot down 288 drones and 45 missiles, while another 96"
            ' drones were "lost", presumably to electronic jamming.',
            {"drone": 355, "missile": 64},
            {"drone": 288, "missile": 45},
            {"drone": 96},
        ),
        (  # a headline with launches only, then the body with more kinds
            "Russia launches 355 drones at Ukraine\n\n"
            "Russia launched 355 drones and 64 missiles overnight. Air defences shot down 288"
            " drones.",
            {"drone": 355, "missile": 64},
            {"drone": 288},
            {},
        ),
        (  # the body's launches have a structure of their own (a total and its parts)
            "Russia attacks Ukraine with 477 drones, 60 missiles overnight, air force says\n\n"
            "Russia launched 537 aerial weapons against Ukraine overnight on June 29, including"
            " 477 drones and decoys and 60 missiles, Ukraine's Air Force reported.\n\n"
            "Ukrainian forces intercepted 475 aerial targets, including 211 drones and 38"
            ' missiles, while 225 drones were "lost locationally," likely due to electronic'
            " warfare.",
            {"drone": 477, "missile": 60},
            {"drone": 211, "missile": 38, "unknown": 1},
            {"drone": 225},
        ),
        (
            "Ukraine downs 288 drones\n\nRussia launched 355 drones and 64 missiles overnight."
            " Air defences shot down 288 drones and 45 missiles.",
            {"drone": 355, "missile": 64},
            {"drone": 288, "missile": 45},
            {},
        ),
    ],
)
def test_a_headline_repeated_in_the_body_is_one_claim(
    text: str, launched: dict[str, int], destroyed: dict[str, int], lost: dict[str, int]
) -> None:
    claims = parse_bulletin(text)
    assert len(claims) == 1, [c.to_dict() for c in claims]
    c = claims[0]
    assert (c.launched, c.destroyed, c.lost) == (launched, destroyed, lost)


@pytest.mark.parametrize(
    "text",
    [
        "On May 20, air defence shot down 40 drones. On May 22, air defence shot down 40 drones"
        " and 5 were lost.",
        "Air defence shot down 40 drones on Monday. On Tuesday it shot down 40 drones again.",
        "Russia launched 40 drones.\n\nOn Tuesday Russia launched 40 drones.",  # not a headline
        "Air defence shot down 40 drones. Last week, air defence shot down 40 drones too.",
        "Air defence shot down 40 drones. On another night it shot down 40 drones and 30 were"
        " lost, and 60 drones were launched.",
    ],
)
def test_the_same_numbers_on_other_nights_stay_apart(text: str) -> None:
    claims = parse_bulletin(text)
    assert len(claims) == 2, [c.to_dict() for c in claims]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # the claim before, in the same paragraph, names one kind: the bare counts are of it
        (
            "Since the start of the month Russia has launched 2,400 drones. Overnight it"
            " launched 120; 100 were shot down.",
            "drone",
        ),
        # another paragraph, or a claim of several kinds: nothing names them
        (
            "Russia launched 40 missiles last week.\n\nOvernight it launched 120; 100 were shot down.",
            "unknown",
        ),
        (
            "Russia launched 40 missiles and 100 drones last week. Overnight it launched 120; 100"
            " were shot down.",
            "unknown",
        ),
    ],
)
def test_bare_counts_take_the_kind_of_the_claim_before(text: str, kind: str) -> None:
    claims = parse_bulletin(text)
    assert len(claims) == 2, [c.to_dict() for c in claims]
    assert claims[1].launched == {kind: 120} and claims[1].destroyed == {kind: 100}


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("In Kyiv region, 40 drones were shot down, the regional governor said.", "Kyiv region"),
        ("Over Kyiv, air defences destroyed about 40 drones.", "Kyiv"),
        ("Air defences destroyed 40 drones over Kyiv region.", "Kyiv region"),
        ("In total, 40 drones were shot down.", None),  # no place
        ("In March, air defences shot down 40 drones.", None),  # a month, not a place
    ],
)
def test_a_regional_count_names_its_place(text: str, target: str | None) -> None:
    (claim,) = parse_bulletin(text)
    assert claim.destroyed == {"drone": 40}
    assert claim.target == target


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("Минулої доби над Одещиною збито 12 ворожих БпЛА.", "Одещиною"),
        ("На Київщині збито 12 БпЛА.", "Київщині"),
        ("У Харківській області знищено 12 дронів.", "Харківській області"),
        ("Над Києвом збито 12 БпЛА.", "Києвом"),
        # the national bulletins' directions and the launch places name no region
        ("Збито/подавлено 12 ворожих БпЛА на півночі, півдні, сході та в центрі країни.", None),
        ("В Україні збито 12 БпЛА.", None),
    ],
)
def test_a_ukrainian_regional_count_names_its_place(text: str, target: str | None) -> None:
    (claim,) = parse_bulletin(text)
    assert claim.destroyed == {"drone": 12}
    assert claim.target == target
