"""Matching what people mean: the pure text side of `search_calls` (no I/O, no models).

A query is one or more **alternatives** (``a OR b``, or a list of strings); a call matches when any
alternative does. An alternative is bare words and "quoted phrases": every one of them must occur
somewhere in the call (a phrase inside one turn or field, its words in order).

Both the query and the text are reduced the same way before comparing, so that what people mean
matches whatever way it was typed:

* case is ignored, and apostrophes vanish (``don't`` = ``dont`` = ``DON’T``);
* any other punctuation separates words (``call-back`` = ``call back``), except the separators inside a
  number (``2,403`` and ``4.5`` are one word each), so ``403`` does not match ``$2,403``;
* each word is cut to a stem by one small rule: drop one ending of ``-ing``, ``-ed``, ``-es``,
  ``-s`` or ``-e`` (``-ies``/``-ied`` become ``y``) when at least three letters stay, then drop
  the last letter of a doubled pair. So call, calls, calling and called are all ``cal``; remove,
  removed and removing are ``remov``; stop and stopped are ``stop``. It is not a linguist's
  stemmer: it merges a few unrelated words (``this``/``thi``) and misses irregular forms
  (``spoke``/``speak``), and it is the same on both sides, which is what matching needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent_runs_mcp.errors import InputError

ALTERNATIVES_MAX = 25
"""Most alternatives in one query (a list of synonyms: `angry OR upset OR furious OR ...`; the query is at most
400 characters anyway)."""
TERMS_MAX = 10
"""Most words and phrases in one alternative."""

_TOKEN = re.compile(r"[^\W_]+(?:(?:['’‘`ʼ]|(?<=\d)[,.](?=\d))[^\W_]+)*")
"""A word as it is matched: letters and digits, with apostrophes inside it and a number's separators."""
_JOINERS = re.compile(r"['’‘`ʼ]|[,.]")
_OR = re.compile(r"\s+(?:OR|\|)\s+|\s*\|\s*")
_TERM = re.compile(r'"([^"]*)"|(\S+)')
_ENDINGS = ("ing", "ed", "es", "s", "e")
_STEM_MIN = 3


def stem(word: str) -> str:
    """One word's stem by the module's rule (the word is already lower-case, without punctuation)."""
    for suffix, repl in (("ies", "y"), ("ied", "y")):
        if word.endswith(suffix) and len(word) - len(suffix) >= _STEM_MIN - 1:
            return word[: -len(suffix)] + repl
    for suffix in _ENDINGS:
        if word.endswith(suffix) and not word.endswith("ss") and len(word) - len(suffix) >= _STEM_MIN:
            word = word[: -len(suffix)]
            break
    if len(word) > _STEM_MIN and word[-1] == word[-2] and word[-1].isalpha():
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    """``text`` as stems, in order: lower-case, apostrophes dropped, punctuation as spaces."""
    return [token_stem(m.group(0)) for m in _TOKEN.finditer(text)]


def token_stem(token: str) -> str:
    """One :data:`_TOKEN`'s stem: lower-case, its apostrophes and number separators dropped."""
    return stem(_JOINERS.sub("", token.lower()))


@dataclass(frozen=True, slots=True)
class Alternative:
    """One way of saying it: terms that must all occur (a term of several stems is a phrase)."""

    terms: tuple[tuple[str, ...], ...]
    text: str


@dataclass(frozen=True, slots=True)
class Query:
    alternatives: tuple[Alternative, ...]

    @property
    def text(self) -> str:
        return " OR ".join(a.text for a in self.alternatives)


def parse_query(query: str | list[str]) -> Query:
    """Alternatives from ``a OR b`` (or ``|``), or from a list of strings; refuses one with no words."""
    pieces = [p for q in ([query] if isinstance(query, str) else query) for p in _OR.split(q.strip())]
    alternatives = []
    for piece in pieces:
        if not piece.strip():
            continue
        terms = []
        for quoted, bare in _TERM.findall(piece):
            stems = tuple(words(quoted if quoted else bare))
            if stems and stems not in terms:
                terms.append(stems)
        if not terms:
            continue
        alternatives.append(Alternative(tuple(terms[:TERMS_MAX]), " ".join(piece.split())))
    if not alternatives:
        raise InputError('`query` has no words: give words to find, a "quoted phrase", or `a OR b`.')
    if len(alternatives) > ALTERNATIVES_MAX:
        raise InputError(f"`query` has {len(alternatives)} alternatives; at most {ALTERNATIVES_MAX} are searched.")
    return Query(tuple(alternatives))


def holds(stems: list[str], term: tuple[str, ...]) -> int:
    """Where ``term`` starts in ``stems`` (its words in order, side by side), or -1."""
    size = len(term)
    first = term[0]
    for at, word in enumerate(stems):
        if word == first and tuple(stems[at : at + size]) == term:
            return at
    return -1


@dataclass(frozen=True, slots=True)
class Found:
    """How a call matched: per unit (turn or field, by position), how many of the terms it holds."""

    hits: tuple[int, ...]
    terms: tuple[tuple[str, ...], ...]

    @property
    def score(self) -> int:
        return sum(1 for h in self.hits if h)

    @property
    def best(self) -> int:
        """The first unit holding the most terms."""
        return max(range(len(self.hits)), key=lambda i: (self.hits[i], -i))


def match(query: Query, units: list[str]) -> Found | None:
    """Whether the texts ``units`` (a call's turns and fields) hold the query; ``None`` when not."""
    stemmed = [words(u) for u in units]
    terms: list[tuple[str, ...]] = []
    for alternative in query.alternatives:
        if all(any(holds(s, term) >= 0 for s in stemmed) for term in alternative.terms):
            terms += [t for t in alternative.terms if t not in terms]
    if not terms:
        return None
    hits = tuple(sum(1 for term in terms if holds(s, term) >= 0) for s in stemmed)
    return Found(hits, tuple(terms))


def first_hit(text: str, terms: tuple[tuple[str, ...], ...]) -> int:
    """Character offset in ``text`` of the first word that starts a matching term (0 if none)."""
    spans = list(_TOKEN.finditer(text))
    stems = [token_stem(m.group(0)) for m in spans]
    at = min((i for i in (holds(stems, t) for t in terms) if i >= 0), default=-1)
    return spans[at].start() if at >= 0 else 0
