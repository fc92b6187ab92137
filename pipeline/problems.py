"""Problems found in user input, and the error that carries them to the command line."""
from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: dataclasses and typing cost ~25 ms to import,
    # which a rebuild with nothing to do (target: under 0.15 s) cannot spare.
    from typing import Iterable, Literal

    from .model import SourceLocation

    Severity = Literal["error", "warning"]


class Problem(namedtuple("Problem", "location severity message code")):
    """One thing wrong with a source or brand: where, how bad (error/warning), what to do, and a stable code."""

    __slots__ = ()

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {_one_line(self.message)} [{self.code}]"

    @property
    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.file, loc.line or 0, loc.column or 0, self.code)


def _one_line(text: str) -> str:
    """A message quoting hostile input stays one line: a line break or control character in it is shown escaped."""
    if text.isprintable():
        return text
    return "".join(character if character.isprintable() or character == " " else repr(character)[1:-1] for character in text)


def error(location: SourceLocation, message: str, code: str) -> Problem:
    return Problem(location, "error", message, code)


def warning(location: SourceLocation, message: str, code: str) -> Problem:
    return Problem(location, "warning", message, code)


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(problem.severity == "error" for problem in problems)


class UserError(Exception):
    """Input the user can fix: reported as `file:line: error: ...` and exit status 2, no traceback."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, (Problem, str)):
            problems = [problems]  # type: ignore[list-item]
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))
