"""Human-readable dates -> ISO dates (`YYYY-MM-DD`): generated training pairs, for dates from 1900 to 2099.

Random days come from faker; babel writes them in several languages and formats, and a few English templates add
the forms people type (ordinals, "the 3rd of May", abbreviated months, weekdays, commas or none, a two-digit year
beside a month name: "29-Aug-58"). Sources are lower-cased: the translator lower-cases what it reads, so any case
works.

The task is kept well posed, so that no source could mean two different dates:
- numbers with slashes read month first (US: 5/3/1999 is May 3), with dots day first (German: 3.5.1999 is
  May 3), with dashes year first (ISO); other numeric layouts are never generated;
- a two-digit year, in numbers or beside a month name, follows the POSIX rule (69-99 -> 19xx, 00-68 -> 20xx) and
  is only used for 1969-2068: "29-aug-58" is 2058-08-29;
- no source is written for two different dates (`generate_pairs` raises if one is).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

FIRST, LAST = dt.date(1900, 1, 1), dt.date(2099, 12, 31)
TWO_DIGIT_FIRST, TWO_DIGIT_LAST = dt.date(1969, 1, 1), dt.date(2068, 12, 31)
# Hungarian and Lithuanian write the year first ("1999. május 3."): the model must not assume the day leads.
LOCALES = ("en_US", "en_GB", "fr_FR", "de_DE", "es_ES", "it_IT", "pt_BR", "nl_NL", "hu_HU", "lt_LT")
# babel's own named formats; each locale's own numeric ones are left out (they disagree on day/month order)
WORD_FORMATS = ("medium", "long", "full", "d MMMM y", "d MMM y", "EEE d MMM y", "EEEE d MMMM y")
# (locale, pattern): the only numeric layouts, each with one reading
NUMERIC_FORMATS = (
    ("en_US", "M/d/y"),
    ("en_US", "MM/dd/y"),
    ("en_US", "M/d/yy"),
    ("en_US", "MM/dd/yy"),
    ("de_DE", "d.M.y"),
    ("de_DE", "dd.MM.y"),
    ("de_DE", "dd.MM.yy"),
    ("en_US", "y-MM-dd"),
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# English forms people type. {Month} full name, {Mon} three letters (or "Sept"), {d} day ({dd} two digits),
# {ord} 3rd, {y} year.
ENGLISH_TEMPLATES = (
    "{Month} {d}, {y}",
    "{Month} {d} {y}",
    "{d} {Month} {y}",
    "{Mon} {d}, {y}",
    "{Mon} {d} {y}",
    "{d} {Mon} {y}",
    "{Month} {ord}, {y}",
    "{Month} {ord} {y}",
    "{ord} {Month} {y}",
    "{ord} {Mon} {y}",
    "{Mon} {ord}, {y}",
    "the {ord} of {Month} {y}",
    "the {ord} of {Month}, {y}",
    "{ord} of {Month} {y}",
    "the {ord} of {Mon} {y}",
    "{y}-{Mon}-{dd}",
    "{d}/{Mon}/{y}",
    "{Mon}-{d}-{y}",
)
# Two-digit years beside a month name: without them a model read "29-aug-58" as 2028-08-28 (the numeric layouts'
# two-digit years did not carry over). Not "{d} {Month} {yy}": trained beside it, a model got the held-out
# "1973 december 28" form 37% right (97% without).
TWO_DIGIT_TEMPLATES = ("{d}-{Mon}-{yy}", "{dd}-{Mon}-{yy}", "{Mon} {d}, {yy}", "{Month} {d}, {yy}")
TWO_DIGIT_SHARE = 0.12  # of the days drawn; about half fall outside 1969-2068 and are skipped: ~6.5% of the pairs
# Natural English forms outside the generator's templates: the held-out check of how well the model generalises
# (a weekday before "the 3rd of May 1999", its comma dropped, is one the generator writes too: `exclude` them).
NATURAL_TEMPLATES = (
    "{Month} the {ord}, {y}",
    "{d}-{Mon}-{y}",
    "{y} {Month} {d}",
    "the {ord} day of {Month}, {y}",
    "{Month} {ord} of {y}",
    "{Weekday} the {ord} of {Month} {y}",
    "{Mon}. {d}, {y}",
    "{d} {Month}, {y}",
    "{Month}, {d} {y}",
)


def iso(day: dt.date) -> str:
    return day.isoformat()


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def english_date(day: dt.date, template: str, rng: random.Random) -> str:
    month = MONTHS[day.month - 1]
    short = "Sept" if day.month == 9 and rng.random() < 0.3 else month[:3]
    return template.format(
        Month=month,
        Mon=short,
        d=day.day,
        dd=f"{day.day:02d}",
        ord=ordinal(day.day),
        y=day.year,
        yy=f"{day.year % 100:02d}",
        Weekday=WEEKDAYS[day.weekday()],
    )


def _with_weekday(text: str, day: dt.date, rng: random.Random) -> str:
    name = WEEKDAYS[day.weekday()]
    return f"{name}, {text}" if rng.random() < 0.5 else f"{name[:3]} {text}"


def _babel_date(day: dt.date, rng: random.Random) -> str | None:
    from babel.dates import format_date

    if rng.random() < 0.3:
        locale, pattern = rng.choice(NUMERIC_FORMATS)
        if pattern.endswith("yy") and not TWO_DIGIT_FIRST <= day <= TWO_DIGIT_LAST:
            return None
        return format_date(day, format=pattern, locale=locale)
    text = format_date(day, format=rng.choice(WORD_FORMATS), locale=rng.choice(LOCALES))
    return text if any(ch.isalpha() for ch in text) else None  # a locale's named format may be numeric


def two_digit_source(day: dt.date, rng: random.Random) -> str | None:
    """`day` with a month name and a two-digit year ("29-aug-58"), lower-cased; None outside 1969-2068."""
    if not TWO_DIGIT_FIRST <= day <= TWO_DIGIT_LAST:
        return None
    return _typed(english_date(day, rng.choice(TWO_DIGIT_TEMPLATES), rng), rng)


def generated_source(day: dt.date, rng: random.Random) -> str | None:
    """One way of writing `day`, lower-cased; None when the drawn format does not suit it (two-digit years)."""
    if rng.random() < TWO_DIGIT_SHARE:
        return two_digit_source(day, rng)
    if rng.random() < 0.45:
        text = english_date(day, rng.choice(ENGLISH_TEMPLATES), rng)
        if rng.random() < 0.2:
            text = _with_weekday(text, day, rng)
    else:
        text = _babel_date(day, rng)
        if text is None:
            return None
    return _typed(text, rng)


def _typed(text: str, rng: random.Random) -> str:
    """`text` as the model reads it (`read_form`), now and then without its commas."""
    if rng.random() < 0.3:
        text = text.replace(",", "")
    return read_form(text)


def read_form(text: str) -> str:
    """A date as the translator reads it: lower-cased, with single spaces."""
    return " ".join(text.lower().split())


def random_days(n: int, seed: int) -> list[dt.date]:
    """`n` days drawn uniformly from 1900-01-01 to 2099-12-31 with faker."""
    from faker import Faker

    fake = Faker()
    fake.seed_instance(seed)
    return [fake.date_between_dates(FIRST, LAST) for _ in range(n)]


def generate_pairs(
    n: int,
    seed: int,
    exclude: set[str] | frozenset[str] = frozenset(),
    write: Callable[[dt.date, random.Random], str | None] = generated_source,
) -> list[tuple[str, str]]:
    """`n` distinct (source, ISO date) pairs, none of whose sources is in `exclude`.

    Raises ValueError if two dates came out written the same way: the formats would then be ambiguous.
    """
    rng, pairs, seen = random.Random(seed), [], {}
    days = iter(random_days(4 * n + 100, seed))
    for day in days:
        if len(pairs) == n:
            break
        source = write(day, rng)
        if source is None or source in exclude:
            continue
        if source in seen:
            if seen[source] != iso(day):
                raise ValueError(f"{source!r} was written for both {seen[source]} and {iso(day)}")
            continue
        seen[source] = iso(day)
        pairs.append((source, iso(day)))
    if len(pairs) < n:
        raise ValueError(f"only {len(pairs)} distinct dates could be generated, {n} asked for")
    return pairs


def natural_english_pairs(n: int, seed: int, exclude: set[str] | frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """`n` dates in the held-out English forms (NATURAL_TEMPLATES), in their natural case, none of which reads as
    (`read_form`) a source in `exclude`."""
    rng = random.Random(seed)

    def write(day: dt.date, _: random.Random) -> str | None:
        template = rng.choice(NATURAL_TEMPLATES)
        if "{yy}" in template and not TWO_DIGIT_FIRST <= day <= TWO_DIGIT_LAST:
            return None
        text = english_date(day, template, rng)
        return None if read_form(text) in exclude else text  # drawn all the same: the next dates stay as they were

    return generate_pairs(n, seed, write=write)


def real_date(text: str) -> bool:
    """Whether `text` is an ISO date that exists (2019-02-30 does not)."""
    try:
        return dt.date.fromisoformat(text) is not None and len(text) == 10
    except ValueError:
        return False
