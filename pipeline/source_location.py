"""Where a model node came from (file, line, column, JSON pointer), and the field every node keeps it in."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where a node came from: file and line, with column and JSON pointer when known."""

    file: str
    line: int | None = None
    column: int | None = None
    pointer: str | None = None

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


def _loc() -> SourceLocation | None:
    return field(default=None, compare=False, repr=False, kw_only=True)
