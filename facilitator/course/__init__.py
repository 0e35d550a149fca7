"""The APV course (forløb) around the meetings: its own door beside the live engine.

model.py holds the plain data; service.py the door (``Course``).
"""

from facilitator.course.service import ArchiveError, Course, CourseError

__all__ = ["ArchiveError", "Course", "CourseError"]
