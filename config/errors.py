"""Configuration errors that name the file, the key and the problem."""

from __future__ import annotations


class ConfigError(Exception):
    """One or more problems in the operator data or the settings.

    ``problems`` is a list of ``(file, key, message)`` triples; ``str()`` renders
    one line per problem so that an operator can go straight to the spot.
    """

    code = "config_invalid"

    def __init__(self, problems: list[tuple[str, str, str]]):
        self.problems = problems
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(f"{file}: {key}: {message}" for file, key, message in self.problems)
