"""Errors that carry what a user needs to fix their input: file, field path, line, expectation."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Problem:
    """One thing wrong with an input file."""

    field: str
    message: str
    line: int | None = None

    def render(self, path: str | None) -> str:
        where = path or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.field}: {self.message}"


@dataclass
class ScenarioError(Exception):
    """An input file (scenario, campaign, sweep spec, catalog override) is invalid.

    ``problems`` lists every problem found, each naming the field path and, where the
    YAML parser could tell, the line.
    """

    path: str | None
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{self.path or '<input>'}: {len(self.problems)} problem(s)"
        return "\n".join([head, *("  " + p.render(self.path) for p in self.problems)])
