"""The check before the room arrives, from the start screen ("Tjek"), and the dialog that
picks the address and the port phones will use ("Adresse og port").

Everything here comes from ``facilitator.preflight`` (which imports the web server only
when the phone test starts); the local checks and the list of addresses do I/O, so they
run in a thread, never on the loop that draws. Every text a check gives is data: it reaches
Rich as ``Text``, never as markup.
"""

from __future__ import annotations

import asyncio
import locale
import sys
import threading
from typing import Any

from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from screens.components import KeyFooter, QRCode
from screens.keys import bind, key_text
from screens.words import literal

PORT_MIN, PORT_MAX = 1024, 65535
AUTO = "auto"  # the dialog's option for "the address the laptop has now"


def arrived_text(count: int) -> str:
    """ "3 telefoner nåede frem"."""
    return f"{count} telefon nåede frem" if count == 1 else f"{count} telefoner nåede frem"


def only_this_computer(host: str | None) -> bool:
    """A loopback address (127.x, ::1, localhost): no phone can reach it."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


LOOPBACK_WORDS = "kun denne computer – telefonerne kan ikke nå den"


def address_words(host: str | None, port: int, automatic: str | None = None) -> str:
    """The address and port a meeting's phones will use, in a line for the start screen."""
    if host and only_this_computer(host):
        where = f"adresse {host} ({LOOPBACK_WORDS})"
    elif host:
        where = f"adresse {host}"
    elif automatic:
        where = f"automatisk adresse ({automatic})"
    else:
        where = "automatisk adresse"
    return f"Telefonerne bruger {where}, port {port}"


def find_addresses() -> tuple[list[Any], str | None]:
    """The laptop's addresses, and the one the automatic choice gives now (the default
    route's, as the meeting's server picks it). I/O: call it in a thread."""
    from facilitator import preflight

    found = preflight.interfaces()
    return found, preflight.public_host(None)


def terminal_encoding() -> str:
    stream = sys.__stdout__
    return getattr(stream, "encoding", None) or locale.getpreferredencoding(False) or "?"


def db_url_of(app: Any) -> str:
    store = getattr(app, "store", None)
    return str(getattr(store, "url", "") or "")


def item_view(items: list[Any]) -> Table:
    """Each check as ✓/✗ (a symbol and, on a failure, the word FEJL: not colour alone),
    its title and detail, and its lines under it (addresses, samples to confirm by eye);
    wrapped text keeps its indent."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(width=1, no_wrap=True)
    grid.add_column(ratio=1)
    for index, item in enumerate(items):
        if index:
            grid.add_row("", "")
        head = literal(item.title, style="bold")
        if not item.ok:
            head.append(" – FEJL", style="bold")
        if item.detail:
            head.append(": ")
            head.append(literal(item.detail))
        head.overflow = "fold"  # a long URL is folded, never cut
        content: Any = head
        if item.lines:
            lines = Text("\n").join(literal(line) for line in item.lines)
            lines.overflow = "fold"
            content = Group(head, Padding(lines, (0, 0, 0, 2)))
        mark = Text("✓", style="bold green") if item.ok else Text("✗", style="bold red")
        grid.add_row(mark, content)
    return grid


def summary_text(items: list[Any], pick_key: str = "") -> Text:
    failed = [item for item in items if not item.ok]
    if not failed:
        return Text("✓ Denne computer er klar. Prøv nu med en telefon: scan koden.")
    names = ", ".join(item.title for item in failed)
    text = Text("✗ Ikke klar: ", style="bold")
    text.append(literal(names, style="bold"))
    text.append(" – se nedenfor.")
    if pick_key and any(item.key in ("address", "port") for item in failed):
        text.append(f" Tryk {pick_key} på startskærmen for at vælge en anden adresse eller port.")
    return text


class CheckQR(QRCode):
    """The /check code with a quiet zone of two modules (not four): whole at 80×24."""

    def set_url(self, url: str | None) -> None:
        if url == self._url:
            return
        self._url = url
        if url:
            from facilitator.qr import qr_matrix

            self._matrix = qr_matrix(url, border=2)
        else:
            self._matrix = []
        self._text = None
        self.refresh(layout=True)


class CheckScreen(Screen):
    """Every local check (✓/✗, title, detail), the terminal's samples for the eye, and the
    live phone test: a QR code to /check and the count of phones that reached it."""

    DEFAULT_CSS = """
    CheckScreen > .check { padding: 0 1; height: 1fr; }
    CheckScreen .title { text-style: bold; color: $primary; }
    CheckScreen #check-summary { height: auto; margin-bottom: 1; }
    CheckScreen #check-phone-note { height: auto; margin-bottom: 1; display: none; }
    CheckScreen .check-body { height: 1fr; }
    CheckScreen #check-items-pane { width: 1fr; height: 1fr; }
    CheckScreen #check-items { height: auto; }
    CheckScreen #check-phones { width: auto; max-width: 50%; height: auto; padding-left: 2; }
    CheckScreen #check-phones > Static { height: auto; width: auto; max-width: 48; }
    CheckScreen #check-count { text-style: bold; }
    CheckScreen #check-qr { margin-top: 1; }
    CheckScreen #check-phones-hint { margin-top: 1; }
    """

    BINDINGS = [
        bind("back", "close", "Luk", priority=True),
        bind("run_check", "recheck", "Tjek igen"),
    ]

    def __init__(
        self,
        db_url: str,
        host: str | None,
        port: int,
        *,
        terminal: tuple[int, int, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.db_url = db_url
        self.host = host
        self.port = port
        self.terminal = terminal
        self.items: list[Any] = []
        self.phone: Any = None  # the running PhoneCheck
        self.phone_error: str | None = None
        self.closed = False
        self._checking = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="check"):
            yield Label("Tjek før mødet", classes="title")
            with Horizontal(classes="check-body"):
                with VerticalScroll(id="check-items-pane"):
                    yield Static("Tjekker …", id="check-summary")
                    yield Static("", id="check-phone-note")
                    yield Static("", id="check-items")
                with Vertical(id="check-phones"):
                    yield Static(Text(arrived_text(0)), id="check-count")
                    yield Static(Text("Telefontesten starter …"), id="check-url")
                    yield CheckQR(None, id="check-qr")
                    yield Static(
                        Text(
                            "Åbn adressen på en telefon på deltagernes Wi-Fi. "
                            "Tæller den ikke op, kan telefonerne ikke nå computeren."
                        ),
                        id="check-phones-hint",
                    )
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(KeyFooter).fit(self.app.size.width)
        self._fit(self.app.size.width, self.app.size.height)
        self.run_checks()

    def on_resize(self, event: events.Resize) -> None:
        self.query_one(KeyFooter).fit(event.size.width)
        self._fit(event.size.width, event.size.height)
        self._recheck_terminal(event.size.width, event.size.height)

    def _recheck_terminal(self, width: int, height: int) -> None:
        """The terminal's item follows the window's size (a pure check: no I/O)."""
        if self.terminal is not None or not any(i.key == "terminal" for i in self.items):
            return
        from facilitator import preflight

        item = preflight.check_terminal(width, height, terminal_encoding())
        self._show_items([item if i.key == "terminal" else i for i in self.items])

    def _fit(self, width: int, height: int) -> None:
        """The QR code at 2× when the screen has room for it beside the checks; the hint
        under it only when the code still fits whole."""
        qr = self.query_one("#check-qr", QRCode)
        big = qr.modules and qr.modules * 2 <= width // 2 and qr.modules + 12 <= height
        qr.set_scale(2 if big else 1)
        self.query_one("#check-phones-hint").display = height >= 30

    # ------------------------------------------------------------------ the checks
    def _terminal(self) -> tuple[int, int, str]:
        if self.terminal is not None:
            return self.terminal
        width, height = self.app.size
        return (width, height, terminal_encoding())

    def run_checks(self) -> None:
        """The local checks in a thread; then the phone test on the loop."""
        if self._checking:
            return
        self._checking = True
        self.query_one("#check-summary", Static).update(Text("Tjekker …"))
        terminal = self._terminal()

        def local() -> tuple[list[Any], str | None]:
            from facilitator import preflight

            # The items, and the meeting's own server if it is on the port already.
            return preflight.run_local_checks(
                self.db_url, self.host, self.port, terminal, pick=self._pick()
            )

        async def run() -> None:
            try:
                try:
                    items, own_url = await asyncio.to_thread(local)
                except Exception as exc:  # noqa: BLE001 - the screen says what went wrong
                    if not self.closed:
                        self.query_one("#check-summary", Static).update(
                            Text(f"✗ Tjekket kunne ikke køre: {exc}", style="bold")
                        )
                    return
                if self.closed:
                    return
                self._show_items(items)
                await self._start_phones(own_url)
            finally:
                self._checking = False

        # On the app, not the screen: the phone test's server must be stopped even when
        # Escape closes the screen while it starts.
        self.app.run_worker(run(), group="preflight", exit_on_error=False)

    def _pick(self) -> str:
        """The start screen's key for the address and port (named in the advice)."""
        return key_text(self.app, "pick_address", first=True)

    def _show_items(self, items: list[Any]) -> None:
        self.items = list(items)
        self.query_one("#check-summary", Static).update(
            summary_text(self.items, key_text(self.app, "pick_address", first=True))
        )
        self.query_one("#check-items", Static).update(item_view(self.items))

    async def _start_phones(self, own_url: str | None) -> None:
        from facilitator import preflight

        try:
            phone = await preflight.start_phone_check(
                self.host, self.port, own_url, on_change=self._phone_arrived, pick=self._pick()
            )
        except Exception as exc:  # noqa: BLE001 - said on the screen
            phone, error = None, str(exc) or type(exc).__name__
        else:
            error = getattr(phone, "error", None)
        if self.closed:  # Escape while it started
            if phone is not None:
                await phone.stop()
            return
        self.phone = phone
        self.phone_error = error
        url = phone.url if phone is not None else ""
        # No code a phone cannot use (a loopback address, no network).
        reachable = bool(url) and getattr(phone, "reachable", True)
        self.query_one("#check-qr", QRCode).set_url(url if reachable else None)
        self._fit(self.app.size.width, self.app.size.height)
        if reachable:
            shown = literal(url)
        elif url:
            shown = Text("✗ Ingen QR-kode: en telefon kan ikke nå adressen", style="bold")
        else:
            shown = Text("✗ Telefontesten kører ikke", style="bold")
        self.query_one("#check-url", Static).update(shown)
        # What went wrong goes with the checks (the code keeps its room to be whole).
        note = Text()
        if error:
            note.append("⚠ " if reachable else "✗ ", style="bold")
            note.append("Telefontesten: " if url else "Telefontesten kunne ikke starte: ")
            note.append(literal(error))
        self._note(note)
        self._show_count(phone.arrived if phone is not None else 0)

    def _note(self, text: Text) -> None:
        widget = self.query_one("#check-phone-note", Static)
        widget.update(text)
        widget.display = bool(text.plain)

    def _phone_arrived(self, count: int) -> None:
        """PhoneCheck.on_change: on the loop (or marshalled onto it from a thread)."""
        if threading.get_ident() == getattr(self.app, "_thread_id", None):
            self._show_count(count)
        else:
            self.app.call_from_thread(self._show_count, count)

    def _show_count(self, count: int) -> None:
        if self.is_attached:
            self.query_one("#check-count", Static).update(Text(arrived_text(count)))

    @property
    def arrived(self) -> int:
        return self.phone.arrived if self.phone is not None else 0

    # ------------------------------------------------------------------ keys
    async def action_recheck(self) -> None:
        """Every check again; the phone test is stopped first (its own server would hold
        the port being checked) and started anew."""
        if self._checking:
            return
        await self._stop_phone()
        self.query_one("#check-qr", QRCode).set_url(None)
        self.query_one("#check-url", Static).update(Text("Telefontesten starter …"))
        self._note(Text())
        self._show_count(0)
        self.run_checks()

    async def _stop_phone(self) -> None:
        phone, self.phone = self.phone, None
        if phone is not None:
            phone.on_change = None
            try:
                await phone.stop()
            except Exception:  # noqa: BLE001 - closing must never fail
                pass

    async def stop_phones(self) -> None:
        """Close: the phone test stops, and one still starting stops once started."""
        self.closed = True
        await self._stop_phone()

    async def action_close(self) -> None:
        await self.stop_phones()
        self.dismiss()

    def on_unmount(self) -> None:
        if self.phone is not None:  # closed another way (the app quits)
            self.app.run_worker(self.stop_phones(), group="preflight", exit_on_error=False)


class AddressScreen(ModalScreen[tuple[str | None, int] | None]):
    """The laptop's addresses (LAN ones marked, the automatic choice first) and the port.
    Dismissed with (host, port) — host None for the automatic address — or None."""

    DEFAULT_CSS = """
    AddressScreen { align: center middle; }
    AddressScreen .address-box {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    AddressScreen .title { text-style: bold; color: $primary; }
    AddressScreen .intro { height: auto; margin-bottom: 1; }
    AddressScreen #address-choices { height: auto; max-height: 12; }
    AddressScreen .port-row { height: auto; margin-top: 1; }
    AddressScreen .port-label { width: 6; }
    AddressScreen #address-port { width: 12; }
    AddressScreen .port-hint { width: 1fr; padding-left: 2; }
    AddressScreen .message { height: auto; text-style: bold; color: $error; }
    AddressScreen .buttons { height: auto; margin-top: 1; }
    AddressScreen .buttons Button { margin-right: 2; }
    """

    AROUND_LIST = 20  # the rows of the dialog besides its list of addresses (and a spare)

    BINDINGS = [
        bind("save", "save", "Gem", priority=True),
        bind("back", "cancel", "Fortryd"),
    ]

    def __init__(self, host: str | None, port: int) -> None:
        super().__init__()
        self.host = host
        self.port = port
        self.found: list[Any] = []
        self.automatic: str | None = None
        self.loaded = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="address-box"):
            yield Label("Adresse og port", classes="title")
            yield Static(
                Text(
                    "Adressen telefonerne bruger, når et møde åbnes. "
                    "LAN: en adresse på det lokale netværk (Wi-Fi), som telefonerne kan nå."
                ),
                classes="intro",
            )
            yield OptionList(
                Option(Text("Henter computerens adresser …"), disabled=True),
                id="address-choices",
            )
            with Horizontal(classes="port-row"):
                yield Label("Port", classes="port-label")
                yield Input(str(self.port), compact=True, id="address-port")
                yield Static(Text(f"et tal fra {PORT_MIN} til {PORT_MAX}"), classes="port-hint")
            yield Static("", id="address-message", classes="message")
            with Horizontal(classes="buttons"):
                save, back = key_text(self.app, "save"), key_text(self.app, "back")
                yield Button(f"Gem ({save})", id="address-save", variant="primary")
                yield Button(f"Fortryd ({back})", id="address-cancel")

    def on_mount(self) -> None:
        self.query_one("#address-choices", OptionList).focus()
        self._fit(self.app.size.height)

        async def run() -> None:
            try:
                found, automatic = await asyncio.to_thread(find_addresses)
            except Exception as exc:  # noqa: BLE001 - the automatic choice still works
                found, automatic = [], None
                self._message(f"Computerens adresser kunne ikke findes: {exc}")
            if self.is_attached:
                self._fill(found, automatic)

        self.run_worker(run(), exit_on_error=False)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.height)

    def _fit(self, height: int) -> None:
        """As many addresses as the height leaves room for (the rest scroll): the port
        field, the message and the buttons stay on screen at 80×24."""
        rows = max(3, min(10, height - self.AROUND_LIST))
        self.query_one("#address-choices", OptionList).styles.max_height = rows + 2

    def _fill(self, found: list[Any], automatic: str | None) -> None:
        self.found = list(found)
        self.automatic = automatic
        auto_words = automatic or "ingen netværk nu – kun denne computer"
        auto_line = Text(f"Automatisk ({auto_words})")
        if self.host is None:
            auto_line.append("  ← nu", style="bold")
        options = [Option(auto_line, id=AUTO)]
        known = set()
        for interface in self.found:
            if interface.address in known:
                continue
            known.add(interface.address)
            line = literal(interface.address, style="bold")
            line.append("  ")
            line.append(literal(interface.name))
            if interface.lan:
                line.append("  · LAN")
            elif interface.address.startswith("127."):
                line.append("  · kun denne computer")
            else:
                line.append("  · ikke LAN")
            if interface.address == self.host:
                line.append("  ← nu", style="bold")
            options.append(Option(line, id=interface.address))
        if self.host and self.host not in known:  # given on the command line
            options.append(Option(literal(f"{self.host}  ← nu"), id=self.host))
        choices = self.query_one("#address-choices", OptionList)
        choices.clear_options()
        choices.add_options(options)
        choices.highlighted = choices.get_option_index(self.host or AUTO)
        self.loaded = True

    def _message(self, text: str) -> None:
        self.query_one("#address-message", Static).update(literal(text))

    @on(OptionList.OptionSelected, "#address-choices")
    def _chosen(self) -> None:
        self.query_one("#address-port", Input).focus()

    @on(Input.Submitted, "#address-port")
    def _port_entered(self) -> None:
        self.action_save()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "address-save":
            self.action_save()
        else:
            self.action_cancel()

    def chosen_host(self) -> str | None:
        choices = self.query_one("#address-choices", OptionList)
        if not self.loaded or choices.highlighted is None:
            return self.host
        option_id = choices.get_option_at_index(choices.highlighted).id
        return None if option_id == AUTO else option_id

    def action_save(self) -> None:
        field = self.query_one("#address-port", Input)
        typed = field.value.strip()
        port = int(typed) if typed.isascii() and typed.isdigit() else None
        if port is None or not PORT_MIN <= port <= PORT_MAX:
            self._message(
                f"Porten skal være et helt tal fra {PORT_MIN} til {PORT_MAX} – "
                f"«{typed}» kan ikke bruges."
            )
            field.focus()
            return
        self.dismiss((self.chosen_host(), port))

    def action_cancel(self) -> None:
        self.dismiss(None)
