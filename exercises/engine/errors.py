"""The one error the engine raises for anything wrong with what a user wrote."""

from __future__ import annotations


class ProgramError(ValueError):
    """A refused program or diagram, with the line it was refused at (1-based) if known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"line {self.line}: {self.message}"

    def as_dict(self) -> dict:
        return {"line": self.line, "message": self.message}
