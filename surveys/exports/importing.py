"""Importing a round's responses from the wide format that the respondent export writes.

A file is checked whole before anything is stored: every fault is reported with its row
and column, and one bad row means nothing is imported. Imported responses are stored as
submitted, anonymous responses (no user, invitation or address; times to the hour), their
dimension scores computed as a submission's are, and the round's results recomputed in one
job (which then draws its charts once).

A file cannot double a round: each row's response id is kept as the imported response's
public id, and a file naming a response id already in the round (imported before, or a file
exported from the round) is refused. A required question must be answered in every row,
except a respondent attribute (an export may leave those blank for anonymity).

The page, the command and any other caller all go through ``import_responses``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from maturity.audit.services import record_event
from maturity.db import db
from maturity.engine import respondent_dimension_scores
from maturity.errors import DomainError
from maturity.exports.writers import unguard_cell
from maturity.frameworks.models import FrameworkVersion, Item, ItemType
from maturity.organisations.models import Organisation
from maturity.security import hash_token, new_token
from surveys.exports.responses import FIXED_COLUMNS, MEMBER_COLUMN, RESPONSE_COLUMN
from surveys.jobs import request_round_results
from surveys.responses.models import DONT_KNOW, Answer, Response, ResponseScore, ResponseStatus
from surveys.responses.services import coarse_now
from surveys.results.shape import shape_of
from surveys.rounds.models import Participation, Round, RoundState

LIKERT_POINTS = 5
MAX_TEXT = 2000
MAX_NUMBER = 1_000_000_000
MAX_ID_LENGTH = 64
MAX_ROWS = 200_000
MAX_PROBLEMS = 100
LOOKUP_BATCH = 500


@dataclass(frozen=True)
class ImportProblem:
    """One fault in an import file; ``row`` counts the header as row 1."""

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"Row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}" if where else f"Column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ResponseImportError(DomainError):
    """A file that cannot be imported; ``problems`` lists every fault found."""

    def __init__(self, problems: list[ImportProblem]):
        super().__init__(f"The file has {len(problems)} problem(s); nothing was imported")
        self.problems = problems

    @property
    def messages(self) -> list[str]:
        """The problems as sentences, at most MAX_PROBLEMS of them and a count of the rest."""
        shown = [str(problem) for problem in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            shown.append(f"…and {len(self.problems) - MAX_PROBLEMS:,} more problems")
        return shown


@dataclass
class ParsedResponse:
    """One valid row: which member it belongs to and its answers by item id."""

    row: int
    public_id: str
    participation_id: int
    organisation_id: int
    answers: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportResult:
    """What an import stored."""

    imported: int
    participation_ids: list[int]


def import_key(round_id: int, public_id: str) -> str:
    """The submission key an imported response carries (unique), so that one response id is
    only ever imported once into a round, even by two imports at the same moment."""
    return hashlib.sha256(f"import:{round_id}:{public_id}".encode()).hexdigest()


def must_be_answered(item: Item) -> bool:
    """Whether every imported row must answer this question: the survey's required ones,
    except respondent attributes (an export may leave those blank for anonymity)."""
    return item.is_required and not item.is_attribute


def read_csv(data: bytes) -> list[list[str]]:
    """The rows of a UTF-8 CSV file, or ResponseImportError saying why it cannot be read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        problem = ImportProblem("The file must be a CSV file saved as UTF-8")
        raise ResponseImportError([problem]) from None
    if "\x00" in text:
        raise ResponseImportError([ImportProblem("The file must be a CSV file, not a binary file")])
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        problem = ImportProblem(f"The file is not a valid CSV file ({error})")
        raise ResponseImportError([problem]) from None


def check_round_accepts_imports(round_: Round) -> None:
    """Refuse imports into a round whose results are published (they are final)."""
    if round_.state == RoundState.PUBLISHED:
        raise ResponseImportError(
            [ImportProblem(f"{round_.name} is published: its responses cannot change")]
        )


def _whole_number(text: str) -> int | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _scored(item: Item, text: str, levels: int) -> str:
    if text.lower().replace("'", "").replace(" ", "_") in (DONT_KNOW, "don_t_know"):
        return DONT_KNOW
    top = levels if item.item_type == ItemType.LEVEL else LIKERT_POINTS
    number = _whole_number(text)
    if number is None or not 1 <= number <= top:
        raise ValueError(f'"{_short(text)}" is not a whole number from 1 to {top} or {DONT_KNOW}')
    return str(number)


def _choices(item: Item, text: str) -> str:
    allowed = {option["value"] for option in item.options}
    if item.item_type == ItemType.SINGLE:
        if text not in allowed:
            raise ValueError(f'"{_short(text)}" is not one of {", ".join(sorted(allowed))}')
        return text
    chosen = {part.strip() for part in text.split(";") if part.strip()}
    unknown = sorted(chosen - allowed)
    if unknown:
        raise ValueError(f'"{_short(unknown[0])}" is not one of {", ".join(sorted(allowed))}')
    return json.dumps(sorted(chosen))


def _number(text: str) -> str:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise ValueError(f'"{_short(text)}" is not a number') from None
    if not -MAX_NUMBER <= value <= MAX_NUMBER:
        raise ValueError("the number must be between -1,000,000,000 and 1,000,000,000")
    return text


def stored_answer(item: Item, cell: str, levels: int) -> str | None:
    """A cell as the text an Answer stores (None: no answer), or ValueError saying why not."""
    text = unguard_cell(cell.strip())
    if not text:
        return None
    if item.item_type in (ItemType.LEVEL, ItemType.LIKERT):
        return _scored(item, text, levels)
    if item.item_type in (ItemType.SINGLE, ItemType.MULTI):
        return _choices(item, text)
    if item.item_type == ItemType.NUMBER:
        return _number(text)
    if len(text) > MAX_TEXT:
        raise ValueError(f"the answer must be {MAX_TEXT:,} characters or fewer")
    return text


def _short(value: str) -> str:
    return value if len(value) <= 40 else value[:37] + "…"


def _check_headers(headers: list[str], items: dict[str, Item]) -> list[ImportProblem]:
    problems = []
    for required in FIXED_COLUMNS:
        if required not in headers:
            problems.append(ImportProblem(f"The file needs a {required} column", row=1))
    seen: set[str] = set()
    for header in headers:
        if header in seen:
            problems.append(ImportProblem("This column appears more than once", 1, header))
        seen.add(header)
        if header and header not in FIXED_COLUMNS and header not in items:
            problems.append(
                ImportProblem("No question of this round's framework has this key", 1, header)
            )
        if not header:
            problems.append(ImportProblem("A column has no heading", row=1))
    for key, item in items.items():
        if must_be_answered(item) and key not in seen:
            problems.append(
                ImportProblem(f"The file needs a {key} column: it is a required question", row=1)
            )
    return problems


def _members(round_: Round) -> dict[str, Participation]:
    rows = db.session.execute(
        sa.select(Organisation.slug, Participation)
        .join(Organisation, Organisation.id == Participation.organisation_id)
        .where(Participation.round_id == round_.id)
    )
    return dict(rows.tuples().all())


def _batches(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), LOOKUP_BATCH):
        yield values[start : start + LOOKUP_BATCH]


def already_in_round(round_id: int, public_ids: Iterable[str]) -> set[str]:
    """The response ids of a file that are already in the round: a response of the round
    has that public id, or one was imported with it (its submission key says so)."""
    ids = list(public_ids)
    by_key = {import_key(round_id, public_id): public_id for public_id in ids}
    found: set[str] = set()
    for batch in _batches(ids):
        found.update(
            db.session.scalars(
                sa.select(Response.public_id)
                .join(Participation, Participation.id == Response.participation_id)
                .where(Participation.round_id == round_id, Response.public_id.in_(batch))
            )
        )
    for batch in _batches(list(by_key)):
        keys = db.session.scalars(
            sa.select(Response.submission_key).where(Response.submission_key.in_(batch))
        )
        found.update(by_key[key] for key in keys)
    return found


class _RowChecker:
    """Checks data rows one by one, collecting every problem."""

    def __init__(self, round_: Round, headers: list[str], items: dict[str, Item], levels: int):
        self.round, self.headers, self.items, self.levels = round_, headers, items, levels
        self.required = [item for item in items.values() if must_be_answered(item)]
        self.members = _members(round_)
        self.first_row_of: dict[str, int] = {}
        self.problems: list[ImportProblem] = []

    def add_problem(self, message: str, row: int, column: str | None) -> None:
        self.problems.append(ImportProblem(message, row, column))

    def _identity(self, number: int, cells: dict[str, str]) -> tuple[str, Participation] | None:
        public_id, slug = cells.get(RESPONSE_COLUMN, ""), cells.get(MEMBER_COLUMN, "")
        ok = True
        if not public_id or len(public_id) > MAX_ID_LENGTH:
            self.add_problem(
                f"Enter the response id (up to {MAX_ID_LENGTH} characters)", number, RESPONSE_COLUMN
            )
            ok = False
        elif public_id in self.first_row_of:
            first = self.first_row_of[public_id]
            self.add_problem(
                f'The response id "{_short(public_id)}" is also in row {first}',
                number,
                RESPONSE_COLUMN,
            )
            ok = False
        else:
            self.first_row_of[public_id] = number
        participation = self.members.get(slug)
        if participation is None:
            self.add_problem(
                f'No member "{_short(slug)}" takes part in {self.round.name}', number, MEMBER_COLUMN
            )
            ok = False
        return (public_id, participation) if ok else None

    def _answers(self, number: int, cells: dict[str, str]) -> dict[int, str]:
        """The row's answers by item id, recording each cell that is wrong and each
        required question left blank."""
        answers: dict[int, str] = {}
        wrong: set[str] = set()
        for header, cell in cells.items():
            item = self.items.get(header)
            if item is None:
                continue
            try:
                value = stored_answer(item, cell, self.levels)
            except ValueError as error:
                self.add_problem(str(error)[0].upper() + str(error)[1:], number, header)
                wrong.add(header)
                continue
            if value is not None:
                answers[item.id] = value
        for item in self.required:
            if item.id not in answers and item.key not in wrong:
                self.add_problem("Answer this required question: it is blank", number, item.key)
        return answers

    def check(self, number: int, row: list[str]) -> ParsedResponse | None:
        """A valid row as a ParsedResponse; None (with problems recorded) otherwise."""
        if len(row) > len(self.headers):
            self.add_problem(
                f"The row has {len(row)} cells but there are {len(self.headers)} columns",
                number,
                None,
            )
            return None
        cells = {header: cell.strip() for header, cell in zip(self.headers, row, strict=False)}
        identity = self._identity(number, cells)
        answers = self._answers(number, cells)
        if identity is None:
            return None
        public_id, participation = identity
        return ParsedResponse(
            number, public_id, participation.id, participation.organisation_id, answers
        )


def parse_rows(round_: Round, rows: list[list[str]]) -> list[ParsedResponse]:
    """Check a whole file (header row first) against the round; return its responses or
    raise ResponseImportError listing every problem with its row and column."""
    check_round_accepts_imports(round_)
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise ResponseImportError([ImportProblem("The file is empty")])
    version = db.session.get(FrameworkVersion, round_.framework_version_id)
    items = {item.key: item for item in version.items}
    headers = [header.strip() for header in rows[0]]
    problems = _check_headers(headers, items)
    if problems:
        raise ResponseImportError(problems)
    if len(rows) == 1:
        raise ResponseImportError([ImportProblem("The file has no responses, only headings")])
    if len(rows) - 1 > MAX_ROWS:
        raise ResponseImportError([ImportProblem(f"The file has more than {MAX_ROWS:,} rows")])
    checker = _RowChecker(round_, headers, items, len(version.levels))
    parsed = [checker.check(number, row) for number, row in enumerate(rows[1:], start=2)]
    for public_id in sorted(already_in_round(round_.id, checker.first_row_of)):
        checker.add_problem(
            f'The response "{_short(public_id)}" is already in {round_.name}: a file imported '
            "before, or exported from this round, cannot be imported into it again",
            checker.first_row_of[public_id],
            RESPONSE_COLUMN,
        )
    if checker.problems:
        raise ResponseImportError(sorted(checker.problems, key=lambda p: p.row or 0))
    return [response for response in parsed if response is not None]


def _submitted_time(round_: Round) -> datetime:
    now = coarse_now()
    closes = round_.closes_at.replace(minute=0, second=0, microsecond=0)
    return min(now, closes)


def _store(round_: Round, parsed: list[ParsedResponse]) -> list[Response]:
    when, name = _submitted_time(round_), round_.name  # the name: a failed flush expires it
    responses = [
        Response(
            participation_id=p.participation_id,
            organisation_id=p.organisation_id,
            resume_token_hash=hash_token(new_token()),
            status=ResponseStatus.SUBMITTED,
            started_at=when,
            updated_at=when,
            submitted_at=when,
            submission_key=import_key(round_.id, p.public_id),
            public_id=p.public_id,
            answers=[Answer(item_id=item_id, value=value) for item_id, value in p.answers.items()],
        )
        for p in parsed
    ]
    db.session.add_all(responses)
    try:
        db.session.flush()
    except IntegrityError:
        # Another import of the same responses committed first (the submission keys are
        # unique): the caller rolls back, and the file is refused as a repeat.
        problem = ImportProblem(
            f"These responses were imported into {name} at the same moment by "
            "another import; nothing was imported from this file"
        )
        raise ResponseImportError([problem]) from None
    return responses


def _store_scores(round_: Round, parsed: list[ParsedResponse], responses: list[Response]):
    shape = shape_of(db.session.get(FrameworkVersion, round_.framework_version_id))
    scores = [
        {
            "response_id": response.id,
            "participation_id": p.participation_id,
            "dimension_key": key,
            "score": score,
        }
        for p, response in zip(parsed, responses, strict=True)
        for key, score in respondent_dimension_scores(
            shape.scored_items, p.answers, shape.levels
        ).items()
    ]
    if scores:
        db.session.execute(sa.insert(ResponseScore), scores)


def _bump_versions(counts: dict[int, int]) -> None:
    for participation_id, count in counts.items():
        db.session.execute(
            sa.update(Participation)
            .where(Participation.id == participation_id)
            .values(answers_version=Participation.answers_version + count)
            .execution_options(synchronize_session=False)
        )


def import_responses(round_: Round, rows: list[list[str]], *, actor_id: int | None) -> ImportResult:
    """Import every row of a checked file as a submitted response, or none (raising
    ResponseImportError; the caller rolls back). Once the caller commits, one job
    recomputes the round's results, then its benchmarks and charts once."""
    parsed = parse_rows(round_, rows)
    responses = _store(round_, parsed)
    _store_scores(round_, parsed, responses)
    counts: dict[int, int] = {}
    for p in parsed:
        counts[p.participation_id] = counts.get(p.participation_id, 0) + 1
    _bump_versions(counts)
    request_round_results(round_.id)
    record_event(
        "responses.imported",
        "round",
        round_.id,
        actor_id=actor_id,
        collaborative_id=round_.collaborative_id,
        responses=len(parsed),
        members=len(counts),
    )
    return ImportResult(len(parsed), sorted(counts))
