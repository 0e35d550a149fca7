"""The lease: one live process per meeting, and whether a holder is still alive."""

from __future__ import annotations

import os
import socket

from sqlmodel import Session

from storage.base import StoreBase
from storage.models import Meeting
from storage.rows import LeaseHeld


class LeaseStore(StoreBase):
    def acquire_lease(
        self, meeting_id: int, pid: int, where: str, now: float, stale_after: float = 90.0
    ) -> None:
        """Take the meeting for this process. Raises LeaseHeld if a live process has it.

        A lease is stale when its process is gone (same host) or its heartbeat is older
        than ``stale_after`` seconds (another host); a stale lease is taken over at once.
        """
        host = socket.gethostname()

        def work(session: Session) -> None:
            meeting = session.get(Meeting, meeting_id)
            if meeting.lease_pid is not None and meeting.lease_pid != pid:
                if lease_live(meeting, host, now, stale_after):
                    raise LeaseHeld(
                        meeting.lease_where or f"pid {meeting.lease_pid}",
                        local=meeting.lease_host == host,
                    )
            meeting.lease_pid = pid
            meeting.lease_host = host
            meeting.lease_where = where
            meeting.lease_heartbeat = now
            session.add(meeting)

        self._write(work)

    def heartbeat(self, meeting_id: int, pid: int, now: float) -> None:
        def work(session: Session) -> None:
            meeting = session.get(Meeting, meeting_id)
            if meeting is not None and meeting.lease_pid == pid:
                meeting.lease_heartbeat = now
                session.add(meeting)

        self._write(work)

    def release_lease(self, meeting_id: int, pid: int) -> None:
        def work(session: Session) -> None:
            meeting = session.get(Meeting, meeting_id)
            if meeting is not None and meeting.lease_pid == pid:
                meeting.lease_pid = None
                meeting.lease_host = None
                meeting.lease_where = None
                meeting.lease_heartbeat = None
                session.add(meeting)

        self._write(work)


def lease_live(meeting: Meeting, host: str, now: float, stale_after: float) -> bool:
    """Whether the process holding the meeting's lease is alive: on this host, its pid
    exists; on another, its heartbeat is younger than ``stale_after`` seconds."""
    if meeting.lease_pid is None:
        return False
    if meeting.lease_host == host:
        return _pid_alive(meeting.lease_pid)
    return (now - (meeting.lease_heartbeat or 0)) < stale_after


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` on this machine is alive. A zombie (exited, not yet reaped
    by its parent, as a killed app under tmux is for seconds) is dead, although
    ``os.kill(pid, 0)`` succeeds on one; where there is no /proc, signal 0 decides."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    except OSError:
        return False
    return _proc_state(pid) not in ("Z", "X", "x")


def _proc_state(pid: int) -> str | None:
    """The state letter of ``/proc/PID/stat`` (R, S, D, Z, …), or None without /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            data = stat.read()
    except OSError:
        return None
    # "PID (COMM) STATE …": COMM may itself hold spaces and parentheses.
    end = data.rfind(b")")
    if end < 0:
        return None
    fields = data[end + 1 :].split()
    return fields[0].decode("ascii", "replace") if fields else None
