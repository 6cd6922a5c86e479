"""The pure matching rules of search_calls: word forms, case, apostrophes, punctuation, phrases, alternatives."""

from __future__ import annotations

import pytest

from agent_runs_mcp.errors import InputError
from agent_runs_mcp.tools.matching import first_hit, match, parse_query, stem, words


@pytest.mark.parametrize(
    ("forms", "same"),
    [
        (("call", "calls", "calling", "called", "CALLED"), True),
        (("remove", "removed", "removing", "removes"), True),
        (("stop", "stopped", "stopping", "stops"), True),
        (("reply", "replies", "replied"), True),
        (("miss", "missed", "misses"), True),
        (("ticket", "tickets"), True),
        (("call", "cold"), False),
        (("yes", "ye"), False),
    ],
)
def test_word_forms_share_one_stem(forms: tuple[str, ...], same: bool) -> None:
    stems = {stem(w.lower()) for w in forms}
    assert (len(stems) == 1) is same, stems


def test_short_words_keep_their_endings() -> None:
    assert [stem(w) for w in ("yes", "was", "me", "see", "all")] == ["yes", "was", "me", "see", "all"]


def test_case_apostrophes_and_punctuation_are_ignored() -> None:
    assert words("Don't") == words("dont") == words("DON’T") == ["dont"]
    assert words("call-back, please!") == words("call back please")
    assert words("agent's") == words("agents")


def test_words_may_occur_anywhere_but_a_phrase_only_in_order() -> None:
    query = parse_query("call again")
    assert match(query, ["Please don't CALL me", "not again"]) is not None
    phrase = parse_query('"call again"')
    assert match(phrase, ["Please don't CALL me", "not again"]) is None
    assert match(phrase, ["please don't be calling, again!"]) is not None


@pytest.mark.parametrize(
    "query", ['"don\'t call" OR "remove me"', ['"dont call"', "remove me"], "don't call | remove me"]
)
def test_alternatives_match_when_any_one_does(query: str | list[str]) -> None:
    parsed = parse_query(query)
    assert len(parsed.alternatives) == 2
    assert match(parsed, ["Please remove me from your list"]) is not None
    assert match(parsed, ["I said DONT call"]) is not None
    assert match(parsed, ["nothing to see here"]) is None


def test_quoted_alternatives_need_their_words_in_order() -> None:
    parsed = parse_query('"don\'t call" OR "remove me"')
    assert match(parsed, ["call me, don't remove anything"]) is None
    assert match(parse_query("don't call OR remove me"), ["call me, don't remove anything"]) is not None


def test_score_counts_units_and_best_is_the_first_with_most_terms() -> None:
    found = match(parse_query("refund ticket"), ["hello", "refund please", "your refund ticket is T-1", "ticket"])
    assert found is not None and found.score == 3 and found.best == 2


def test_the_excerpt_starts_at_the_first_matching_word() -> None:
    text = "Well, so. I really do not want you calling me again."
    found = match(parse_query('"call me"'), [text])
    assert found is not None
    assert text[first_hit(text, found.terms) :].startswith("calling me")


@pytest.mark.parametrize(("query", "problem"), [("  ", "no words"), ("!!! ???", "no words"), (["", "?"], "no words"),
                                                 (" OR ".join(f"w{i}" for i in range(26)), "at most 25")])  # fmt: skip
def test_queries_without_words_or_with_too_many_alternatives_are_refused(query: str | list[str], problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        parse_query(query)


def test_a_number_is_matched_whole() -> None:
    """`403` is not found in `$2,403` (a completed run's total matched a search for HTTP 403 errors)."""
    total = "Extracted 12 line items totalling $2,403; posted to ERP."
    assert match(parse_query("403 OR quota"), [total]) is None
    assert match(parse_query("2,403"), [total]) is not None and match(parse_query("$2403"), [total]) is not None
    assert match(parse_query("403"), ["HTTP 403: forbidden."]) is not None
    assert words("took 4.5s, then 2,403.50 USD") == ["took", "45s", "then", "240350", "usd"]


def test_the_excerpt_finds_a_word_inside_an_underscored_or_numbered_text() -> None:
    for text, query, at in [("Status reason: approval_timeout", "timeout", "timeout"),
                            ("paid $2,403 of 403 due", "403", "403 due")]:  # fmt: skip
        found = match(parse_query(query), [text])
        assert found is not None and text[first_hit(text, found.terms) :] == at
