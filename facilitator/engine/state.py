"""The /api/state document: what every phone and the remote know about the meeting."""

from __future__ import annotations

from typing import Any

from facilitator.engine.core import EngineCore
from facilitator.engine.timeline import OPEN_TIME_LABEL


class State(EngineCore):
    def state(self, now: float | None = None) -> dict[str, Any]:
        """The /api/state document."""
        now = self.now() if now is None else now
        clock = self.clock
        phase = self.phase
        turn = clock.turn(now)
        return {
            "meeting": {
                "id": str(self.meeting_id),
                "title": self.title,
                "code": self.code,
                "elapsed_s": round(self.meeting_elapsed(now), 1),
                "planned_s": round(self.meeting_planned(), 1),
                "phones": self.phones,
            },
            "phase": {
                "index": self.index,
                "count": self.phase_count,
                "kind": phase.kind,
                "title": phase.title,
                "text": phase.text,
                "questions": list(phase.questions),
                "started": clock.started,
                "paused": clock.paused,
                "remaining_s": round(clock.remaining(now), 1),
                "overrun_s": round(clock.overrun(now), 1),
                "duration_s": round(clock.duration_s, 1),
                # the turns are done and the phase runs on: the groups sum up
                "open_time": OPEN_TIME_LABEL
                if turn is None
                and clock.turn_count > 0
                and clock.started
                and not clock.is_over(now)
                else None,
                "warning_s": int(clock.warning_s),
                "warning": clock.in_warning(now),
                **self._course_state(),
            },
            "turn": None
            if turn is None
            else {
                "index": turn.index,
                "count": turn.count,
                "remaining_s": round(turn.remaining_s, 1),
                "label": self.turn_label(turn),
            },
            "board": self._board_state(now),
            "signal": self.signal,
            "display": self.display,
        }

    def _board_state(self, now: float) -> dict[str, Any]:
        """What the phones need to know about the flip-overs: a version to refetch on,
        and the vote or choose phase's rules and progress."""
        board: dict[str, Any] = {"version": self._board_version, "vote": None, "choose": None}
        phase = self.phase
        if phase.kind == "vote":
            cast, devices = self.vote_progress()
            board["vote"] = {
                "marks": phase.marks,
                "cap": phase.cap_per_card,
                "reveal": phase.reveal,
                "visible": self.marks_visible(now),
                "closed": self.vote_closed(now=now),
                "cast": cast,
                "voters": devices,
            }
        elif phase.kind == "choose":
            board["choose"] = {
                "options": [
                    {"key": item.key, "title": item.title, "count": count}
                    for item, count in self.choice_counts()
                ]
            }
        return board
