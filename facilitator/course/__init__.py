"""The APV course (forløb) around the meetings: its own door beside the live engine.

model.py holds the plain data; service.py the door (``Course``). The door is imported on
first use, so reading the model (as the command line's help does) loads no database code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from facilitator.course.service import ArchiveError, Course, CourseError

__all__ = ["ArchiveError", "Course", "CourseError"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from facilitator.course import service

        return getattr(service, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
