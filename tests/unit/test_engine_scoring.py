"""Answers onto the level scale, and the half-answered rule for a respondent's dimensions."""

import pytest

from maturity.engine import DONT_KNOW, ScoredItem, respondent_dimension_scores, score_answer

LIKERT = ScoredItem(1, "vision", "likert")
REVERSED = ScoredItem(2, "vision", "likert", is_reversed=True)
LEVEL = ScoredItem(3, "vision", "level")


@pytest.mark.parametrize(
    ("levels", "value", "plain", "reversed_"),
    [
        (4, "1", 1.0, 4.0),
        (4, "2", 1.75, 3.25),
        (4, "3", 2.5, 2.5),
        (4, "4", 3.25, 1.75),
        (4, "5", 4.0, 1.0),
        (5, "1", 1.0, 5.0),
        (5, "2", 2.0, 4.0),
        (5, "3", 3.0, 3.0),
        (5, "4", 4.0, 2.0),
        (5, "5", 5.0, 1.0),
        (3, "2", 1.5, 2.5),
    ],
)
def test_likert_answers_map_onto_the_level_scale(levels, value, plain, reversed_):
    assert score_answer(LIKERT, value, levels) == plain
    assert score_answer(REVERSED, value, levels) == reversed_


@pytest.mark.parametrize(("value", "expected"), [("1", 1.0), ("2", 2.0), ("4", 4.0), (" 3 ", 3.0)])
def test_a_level_answer_is_the_level_number(value, expected):
    assert score_answer(LEVEL, value, 4) == expected


@pytest.mark.parametrize(
    ("item", "value"),
    [
        (LIKERT, DONT_KNOW),
        (REVERSED, DONT_KNOW),
        (LEVEL, DONT_KNOW),
        (LIKERT, ""),
        (LEVEL, "   "),
        (LIKERT, "0"),
        (LIKERT, "6"),
        (REVERSED, "6"),
        (LEVEL, "0"),
        (LEVEL, "5"),  # above L = 4
        (LIKERT, "-1"),
        (LIKERT, "2.5"),
        (LEVEL, "three"),
        (LEVEL, "³"),
    ],
)
def test_dont_know_blank_and_out_of_range_answers_are_unanswered(item, value):
    assert score_answer(item, value, 4) is None


@pytest.mark.parametrize(
    ("kwargs", "levels"),
    [
        ({"item_id": 1, "dimension_key": "d", "kind": "text"}, 4),
        ({"item_id": 1, "dimension_key": "d", "kind": "level", "is_reversed": True}, 4),
        ({"item_id": 1, "dimension_key": "d", "kind": "level"}, 0),
    ],
)
def test_invalid_items_and_scales_are_refused(kwargs, levels):
    with pytest.raises(ValueError):
        score_answer(ScoredItem(**kwargs), "1", levels)


def _dimension(offered: int, key: str = "d", first_id: int = 0) -> list[ScoredItem]:
    return [ScoredItem(first_id + i, key, "level") for i in range(offered)]


@pytest.mark.parametrize(
    ("offered", "answered", "is_counted"),
    [
        (1, 1, True),
        (1, 0, False),
        (2, 1, True),  # exactly half
        (3, 2, True),
        (3, 1, False),  # a third: below half
        (4, 2, True),  # exactly half
        (4, 1, False),
        (5, 3, True),
        (5, 2, False),  # 40%
        (6, 3, True),  # exactly half
    ],
)
def test_a_dimension_counts_only_when_at_least_half_its_items_are_answered(
    offered, answered, is_counted
):
    items = _dimension(offered)
    answers = {item.item_id: "3" if i < answered else DONT_KNOW for i, item in enumerate(items)}
    scores = respondent_dimension_scores(items, answers, levels=4)
    assert scores == ({"d": 3.0} if is_counted else {})


def test_missing_answers_count_as_unanswered_like_dont_know():
    items = _dimension(4)
    assert respondent_dimension_scores(items, {0: "2"}, levels=4) == {}
    assert respondent_dimension_scores(items, {0: "2", 1: "4"}, levels=4) == {"d": 3.0}


def test_each_dimension_is_the_mean_of_its_own_scored_answers():
    items = [
        ScoredItem(1, "vision", "level"),
        ScoredItem(2, "vision", "likert"),
        ScoredItem(3, "vision", "likert", is_reversed=True),
        ScoredItem(4, "data", "likert"),
        ScoredItem(5, "data", "level"),
        ScoredItem(6, "data", "level"),
    ]
    answers = {1: "4", 2: "5", 3: "5", 4: "3", 5: DONT_KNOW, 6: "9"}
    # vision: 4, 4, 1 → 3; data: only 1 of 3 answered → left out.
    assert respondent_dimension_scores(items, answers, levels=4) == {"vision": 3.0}
    answers[5] = "1"
    assert respondent_dimension_scores(items, answers, levels=4) == {
        "vision": 3.0,
        "data": (2.5 + 1) / 2,
    }
