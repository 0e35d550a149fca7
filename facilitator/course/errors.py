"""The course's errors (re-exported by facilitator.course.service)."""

from __future__ import annotations


class CourseError(Exception):
    """The course cannot do that; the message is one Danish line for the user."""


class ArchiveError(CourseError):
    """An import file that is not ours, is truncated, or comes from a newer version."""
