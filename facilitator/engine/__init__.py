"""The live meeting's engine (see facade.py for the map of its concerns)."""

from facilitator.engine.core import Scheduler
from facilitator.engine.errors import (
    EngineError,
    MeetingBusy,
    MeetingNotFound,
    TextRefused,
    VoteRefused,
    typed,
)
from facilitator.engine.events import BOARD_KINDS, SIGNAL_KINDS, Event, Snapshot
from facilitator.engine.facade import DISPLAY_VIEWS, MAX_TITLE, MeetingEngine, create_meeting
from facilitator.engine.fanout import Subscription
from facilitator.engine.flipovers import (
    MAX_GROUP,
    MAX_HEADING,
    MAX_PROPOSAL,
    MAX_PROPOSALS,
    default_flipover_kind,
    grouping_for,
)
from facilitator.engine.lease import HEARTBEAT_S, LEASE_WAIT_S
from facilitator.engine.marks import REOPEN_S
from facilitator.engine.photos import MAX_PHOTO
from facilitator.engine.ranking import RankItem
from facilitator.meeting_size import (
    GROUPS_MAX,
    MEETING_LIMITS,
    PARTICIPANTS_MAX,
    group_plan,
    meeting_size_problem,
)
from storage.db import StorageError
from storage.repo import FlipoverRow

BOARD_EVENTS = BOARD_KINDS  # the name the screens and the web knew

__all__ = [
    "BOARD_EVENTS",
    "BOARD_KINDS",
    "DISPLAY_VIEWS",
    "GROUPS_MAX",
    "HEARTBEAT_S",
    "LEASE_WAIT_S",
    "MAX_GROUP",
    "MAX_HEADING",
    "MAX_PHOTO",
    "MAX_PROPOSAL",
    "MAX_PROPOSALS",
    "MAX_TITLE",
    "MEETING_LIMITS",
    "PARTICIPANTS_MAX",
    "REOPEN_S",
    "SIGNAL_KINDS",
    "EngineError",
    "Event",
    "FlipoverRow",
    "MeetingBusy",
    "MeetingEngine",
    "MeetingNotFound",
    "RankItem",
    "Scheduler",
    "Snapshot",
    "StorageError",
    "Subscription",
    "TextRefused",
    "VoteRefused",
    "create_meeting",
    "default_flipover_kind",
    "group_plan",
    "grouping_for",
    "meeting_size_problem",
    "typed",
]
