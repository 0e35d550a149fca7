"""`facilitator export (MEETING | --forloeb ID) --what bruttoliste|handleplan|forloeb
--format md|csv|xlsx|docx|json [-o FILE] [--include-confidential]`.

Bad input is one Danish line on stderr and exit status 2, never a traceback. Files are
written atomically (a temporary file beside the target, then ``os.replace``). The
særskilt spor is written only with ``--include-confidential`` and only to a file of its
own beside the other, ``<stem>-FORTROLIGT.<ext>`` (readable by its owner alone); the main
file is then exactly the default export. XLSX and DOCX are not written to a terminal;
into a pipe or a file they are. A progress bar (transient, on stderr) shows while an XLSX
or DOCX is made, when stderr is a terminal.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from facilitator.cli_parser import PROG
from facilitator.export import (
    BINARY,
    FORMATS,
    WHATS,
    render_bruttoliste,
    render_confidential,
    render_handleplan,
)
from facilitator.export.model import CONFIDENTIAL_MARK, NO_STEPS, ExportError, Steps

# As facilitator.cli's (which this module may not import): an OSError in Danish.
OS_ERRORS_DA = {
    errno.ENOENT: "mappen findes ikke",
    errno.EISDIR: "det er en mappe",
    errno.ENOTDIR: "en del af stien er ikke en mappe",
    errno.EACCES: "ingen adgang",
    errno.EPERM: "ingen adgang",
    errno.ENOSPC: "disken er fuld",
    errno.EROFS: "drevet er skrivebeskyttet",
}


def os_error_da(exc: OSError) -> str:
    return OS_ERRORS_DA.get(exc.errno, exc.strerror or str(exc))


class Refused(Exception):
    """One line for stderr; exit status 2."""


def confidential_path(target: Path, fmt: str) -> Path:
    """``plan.docx`` -> ``plan-FORTROLIGT.docx``, beside it."""
    suffix = target.suffix or f".{fmt}"
    stem = target.stem if target.suffix else target.name
    return target.with_name(f"{stem}-{CONFIDENTIAL_MARK}{suffix}")


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class _Bar(Steps):
    """The steps of a long export as a transient rich progress bar on stderr."""

    def __init__(self, err: TextIO) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(file=err),
            transient=True,
        )
        self.task: Any = None

    def begin(self, total: int, description: str) -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.task = self.progress.add_task(description, total=total)

    def advance(self, steps: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, steps)


# ---------------------------------------------------------------- what is exported
class _Export:
    """The bytes of the main file and, when asked, of the confidential one."""

    def __init__(self, main: bytes, secret: bytes | None) -> None:
        self.main = main
        self.secret = secret


def _meeting_photos(store: Any, meeting_ids: list[int]) -> Callable[[int], Any]:
    def photo(flipover_id: int) -> tuple[str, bytes] | None:
        for meeting_id in meeting_ids:
            found = store.photo(meeting_id, flipover_id)
            if found is not None:
                return found
        return None

    return photo


def _forloeb_of(course: Any, meeting_id: int | None, forloeb_id: int | None) -> int:
    if forloeb_id is not None:
        course.forloeb(forloeb_id)  # CourseError when there is none
        return forloeb_id
    return course.forloeb_of_meeting(meeting_id)


def _gather(
    store: Any,
    *,
    meeting_id: int | None,
    forloeb_id: int | None,
    what: str,
    fmt: str,
    include_confidential: bool,
    steps: Steps,
) -> _Export:
    from facilitator.course.service import Course

    course = Course(store)
    if what == "forloeb":
        from facilitator.export.json import archive_json

        fid = _forloeb_of(course, meeting_id, forloeb_id)
        main = archive_json(course.archive(fid)).encode("utf-8")
        secret = None
        if include_confidential:
            full = course.archive(fid, include_confidential=True)
            secret = archive_json(full, confidential=True).encode("utf-8")
        return _Export(main, secret)

    if what == "bruttoliste":
        from facilitator.export.json import BRUTTOLISTE_KIND, bruttoliste_context

        if meeting_id is None:
            course.forloeb(forloeb_id)
            meeting_id = course.latest_meeting(forloeb_id)
            if meeting_id is None:
                raise Refused(f"forløbet {forloeb_id} har ingen møder endnu")
        data = course.bruttoliste(meeting_id)
        photos = _meeting_photos(store, [meeting_id])
        main = render_bruttoliste(data, fmt, photos=photos, steps=steps)
        secret = None
        if include_confidential:
            items = course.bruttoliste(meeting_id, include_confidential=True).confidential
            where = " · ".join(x for x in (data.workplace, data.title) if x)
            context = bruttoliste_context(data)
            secret = render_confidential(
                items, fmt, where=where, kind=BRUTTOLISTE_KIND, context=context
            )
        return _Export(main, secret)

    from facilitator.export.json import HANDLEPLAN_KIND, handleplan_context

    fid = _forloeb_of(course, meeting_id, forloeb_id)
    plan = course.handleplan(fid)
    photos = _meeting_photos(store, [m.id for m in plan.forloeb.meetings])
    main = render_handleplan(plan, fmt, photos=photos, steps=steps)
    secret = None
    if include_confidential:
        full = course.handleplan(fid, include_confidential=True)
        items = full.confidential + tuple(_row_as_item(r) for r in full.confidential_rows)
        where = ", ".join(x for x in (plan.forloeb.workplace, plan.forloeb.unit) if x)
        context = handleplan_context(plan)
        secret = render_confidential(items, fmt, where=where, kind=HANDLEPLAN_KIND, context=context)
    return _Export(main, secret)


def _row_as_item(row: Any) -> Any:
    """A handleplan row whose wish went to særskilt spor after the plan was made, as an
    item of the confidential document (it is in no default one)."""
    from facilitator.course.model import ConfidentialItem, ProposalLine

    notes = "\n".join(x for x in (f"Mål: {row.goal}" if row.goal else "", row.notes) if x)
    return ConfidentialItem(
        id=row.source_id or 0,
        meeting_id=0,
        meeting_title="Handleplanen",
        heading=row.area,
        proposals=tuple(ProposalLine(a) for a in row.activities),
        responsible=row.responsible,
        start=row.start,
        follow_up=row.follow_up,
        status=row.status,
        notes=notes,
        flags=row.flags,
    )


# ---------------------------------------------------------------- writing
def _temporary(target: Path, data: bytes, private: bool) -> Path:
    """``data`` in a new file beside ``target``, synced; its mode as a new file's (the
    confidential one readable by its owner alone)."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if not private:
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(path, 0o666 & ~mask)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _write_files(files: list[tuple[Path, bytes, bool]]) -> None:
    """Every file or, as far as the disk allows, none: all are written to temporary files
    first and put in place only when all were written."""
    written: list[tuple[Path, Path]] = []
    try:
        for target, data, private in files:
            if target.is_dir():
                raise IsADirectoryError(errno.EISDIR, "Is a directory", str(target))
            written.append((_temporary(target, data, private), target))
        for temporary, target in written:
            os.replace(temporary, target)
    finally:
        for temporary, _ in written:
            temporary.unlink(missing_ok=True)


# ---------------------------------------------------------------- the command
def export_command(
    store: Any,
    *,
    meeting_id: int | None,
    forloeb_id: int | None,
    what: str,
    fmt: str,
    output: str | None,
    include_confidential: bool,
    out: BinaryIO,
    err: TextIO,
) -> int:
    """`facilitator export`; the exit status. ``store``: a storage.repo.Store (the
    meeting's id already resolved from a short code by the caller); ``out``: where the
    export goes without -o (``sys.stdout.buffer``); ``err``: messages (``sys.stderr``)."""
    try:
        return _export(
            store,
            meeting_id=meeting_id,
            forloeb_id=forloeb_id,
            what=what,
            fmt=fmt,
            output=output,
            include_confidential=include_confidential,
            out=out,
            err=err,
        )
    except Refused as exc:
        print(f"{PROG}: {exc}", file=err)
        return 2


def _export(
    store: Any,
    *,
    meeting_id: int | None,
    forloeb_id: int | None,
    what: str,
    fmt: str,
    output: str | None,
    include_confidential: bool,
    out: BinaryIO,
    err: TextIO,
) -> int:
    from facilitator.course.service import CourseError

    if what not in WHATS:
        raise Refused(f"--what {what!r} findes ikke; brug {', '.join(WHATS)}")
    if fmt not in FORMATS:
        raise Refused(f"formatet {fmt!r} findes ikke; brug {', '.join(FORMATS)}")
    if (meeting_id is None) == (forloeb_id is None):
        raise Refused("angiv enten et møde eller --forloeb ID (ikke begge)")
    if what == "forloeb" and fmt != "json":
        raise Refused("forløbet eksporteres kun som json (--format json)")
    to_stdout = output is None or output == "-"
    if include_confidential and to_stdout:
        raise Refused(
            "Det fortrolige skrives kun til en fil: brug -o FIL, så skrives det særskilte "
            f"spor ved siden af i en fil for sig (…-{CONFIDENTIAL_MARK}.{fmt})"
        )
    if to_stdout and fmt in BINARY and _isatty(out):
        raise Refused(f"{fmt} er en binær fil og skrives ikke til terminalen; brug -o FIL")
    target = None if to_stdout else Path(output).expanduser()
    if target is not None:
        if target.is_dir():
            raise Refused(f"kan ikke skrive {target}: det er en mappe")
        if not target.parent.is_dir():
            raise Refused(f"kan ikke skrive {target}: mappen findes ikke")
    if meeting_id is not None and store.get_meeting(meeting_id) is None:
        raise Refused(f"mødet {meeting_id} findes ikke i {store.url}")

    bar = _Bar(err) if fmt in BINARY and _isatty(err) else None
    try:
        if bar is not None:
            bar.progress.start()
        made = _gather(
            store,
            meeting_id=meeting_id,
            forloeb_id=forloeb_id,
            what=what,
            fmt=fmt,
            include_confidential=include_confidential,
            steps=bar or NO_STEPS,
        )
    except (CourseError, ExportError) as exc:
        raise Refused(str(exc)) from None
    finally:
        if bar is not None:
            bar.progress.stop()

    if target is None:
        try:
            out.write(made.main)
            out.flush()
        except BrokenPipeError:  # the reader stopped early (| head): nothing to say
            return 0
        except OSError as exc:
            raise Refused(f"kan ikke skrive til standard-output: {os_error_da(exc)}") from None
        return 0

    files = [(target, made.main, False)]
    secret = confidential_path(target, fmt)
    if made.secret is not None:
        files.append((secret, made.secret, True))
    try:
        _write_files(files)
    except OSError as exc:
        where = Path(exc.filename) if exc.filename else target
        failed = secret if where.name.startswith(f".{secret.name}") or where == secret else target
        raise Refused(f"kan ikke skrive {failed}: {os_error_da(exc)}") from None
    print(f"Skrevet: {target} ({len(made.main)} byte)", file=err)
    if made.secret is not None:
        print(
            f"Fortroligt skrevet: {secret} ({len(made.secret)} byte) – del det kun med dem, "
            "der skal bruge det.",
            file=err,
        )
    return 0
