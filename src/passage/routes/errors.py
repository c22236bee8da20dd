"""Errors the engine reports to people: each names where the problem is."""

from __future__ import annotations

__all__ = ["KnowledgeError", "ProfileError", "RoutesError", "SourceError"]


class RoutesError(Exception):
    """Base class for engine errors."""


class SourceError(RoutesError):
    """A problem at a place in a file, shown as ``file:line: message``."""

    def __init__(self, file: str, line: int, message: str) -> None:
        self.file = file
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line > 0:
            return f"{self.file}:{self.line}: {self.message}"
        return f"{self.file}: {self.message}"


class KnowledgeError(RoutesError):
    """The knowledge base is invalid; ``problems`` lists every ``file:line: message`` found."""

    def __init__(self, problems: list[SourceError]) -> None:
        self.problems = problems
        super().__init__(str(problems[0]) if problems else "invalid knowledge base")


class ProfileError(SourceError):
    """A profile is invalid (unknown fact, wrong type, impossible date, bad syntax)."""
