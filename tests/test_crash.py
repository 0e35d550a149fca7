"""Crash safety: `facilitator serve` killed with SIGKILL at random moments (seeded) while
phones mark wishes and assistants post flip-overs over HTTP, restarted each time.

Each submission carries an Idempotency-Key and one that got no answer is resent with the
same key once the server is back, as the pages do. Afterwards every acknowledged
submission is stored exactly once, no phone has more marks than the vote phase allows
(or fewer or more than it was told), and the vote phase's clock, started before the first
kill, is within one second of the truth. Runs on SQLite and on PostgreSQL (conftest.py).

The harness is bench/crash.py, which runs 100 kills and prints the tally.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from tests.conftest import report_tally

KILLS = int(os.environ.get("FACILITATOR_TEST_KILLS", "20"))

_spec = importlib.util.spec_from_file_location(
    "bench_crash", Path(__file__).resolve().parent.parent / "bench" / "crash.py"
)
crash = importlib.util.module_from_spec(_spec)
sys.modules["bench_crash"] = crash
_spec.loader.exec_module(crash)


def test_nothing_acknowledged_is_lost_or_doubled_under_sigkill(db_url, tmp_path, request):
    tally = crash.run_trial(db_url, KILLS, seed=20261125, workdir=tmp_path, phones_per_kill=2)
    report = "\n".join(tally.lines())
    request.node.user_properties.append(("crash_tally", tally.summary()))
    report_tally(request, f"[kill trial] {tally.summary()}")  # the figure CI quotes
    assert tally.kills >= KILLS, report
    assert tally.flipovers_acked > 0 and tally.marks_acked > 0, report
    assert tally.retried > 0, report  # the kills did cut answers off
    assert tally.doubles == 0, report
    assert tally.missing == 0, report
    assert tally.budget_violations == 0, report
    assert tally.unresolved == 0, report
    assert tally.clock_error_s <= 1.0, report
    assert tally.server_tracebacks == 0, report
    assert tally.ok, report
