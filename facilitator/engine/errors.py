"""The engine's refusals, and the one door typed text passes through."""

from __future__ import annotations

from facilitator.text import BadText, clean_text


class EngineError(Exception):
    """A command was refused; the message is Danish and for the user."""


class MeetingNotFound(EngineError):
    pass


class MeetingBusy(EngineError):
    pass


class TextRefused(EngineError):
    """Text that cannot be stored (a lone surrogate, say)."""


class VoteRefused(EngineError):
    """A phone's mark or pick refused; ``status`` is the HTTP status the web answers."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


def typed(value: object, *, multiline: bool = False) -> str:
    """Text a person typed, made safe to store and show (see facilitator.text)."""
    try:
        return clean_text(value, multiline=multiline)
    except BadText as exc:
        raise TextRefused(str(exc)) from None
