"""Assistent- og fjernbetjeningslinks: the staff's QR codes, never for the projector; and
the wall page's addresses (Vægskærm).

The assistant link lets whoever has it write flip-overs; the remote-control link lets them
drive the meeting. So the screen asks first ("Vis nøgler?"), says at the top that it is not
for the projector, and closes on Escape or a.

The wall page (``/wall``) needs no key: it is the projector's view in a browser, for a
laptop that extends its desktop to the projector. ``WallLinksScreen`` (the projector's
``w``) shows its addresses, this laptop's own first, and how to use it.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Label, Static

from screens.components import KeyFooter, QRCode, WarningHead
from screens.dialogs import ConfirmScreen
from screens.join import best_scale
from screens.keys import bind

WARNING = "IKKE TIL PROJEKTOREN – nøglerne giver adgang til at skrive og styre"
WALL_TITLE = "Vægskærm – projektorens billede som webside"
WALL_HOWTO = (
    "Sådan: stil skærmene som udvidet skrivebord (ikke spejlet), åbn adressen i browseren, "
    "træk vinduet over på projektorens skærm, og tryk F11 (fuld skærm). Terminalen bliver "
    "på din egen skærm som kontrolpanel."
)
WALL_WHERE = ("på denne computer", "fra en anden computer på netværket")
ROWS_AROUND = 10  # warning, titles, addresses, note, footer


def ask_then_show_links(app: App, engine: Any) -> None:
    """Ask Ja/Nej first, then show the links (the projector may be on)."""

    def answered(yes: bool | None) -> None:
        if yes:
            app.push_screen(StaffLinksScreen(engine, getattr(app, "web_server", None)))

    app.push_screen(
        ConfirmScreen(
            "Vis nøgler? Sluk projektoren eller frys billedet først – "
            "assistent- og fjernbetjeningslinks giver adgang til at skrive og styre.",
            yes="Vis",
            no="Nej",
        ),
        answered,
    )


class StaffLinksScreen(Screen[None]):
    """The assistant and remote-control QR codes with their addresses."""

    BINDINGS = [
        bind("back", "close", "Luk", key_display="Esc", priority=True),
        bind("staff_links", "close", "Luk", show=False, priority=True),  # a closes them too
        bind("swap_code", "swap", "Skift kode", priority=True, tooltip="Vis den anden QR-kode"),
    ]

    def __init__(self, engine: Any, server: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.engine = engine
        self.server = server
        self.links = self._links()
        self.showing = 0  # when only one code fits: which one

    def _links(self) -> list[tuple[str, str | None]]:
        server = self.server
        if server is None:
            return []
        return [
            ("Mødeassistenter – skriv flip-overs", server.assistant_url()),
            ("Fjernbetjening – styr mødet fra telefonen", server.remote_url()),
        ]

    def compose(self) -> ComposeResult:
        yield WarningHead(WARNING, id="links-head", markup=False)
        with Horizontal(classes="links"):
            for index, (title, url) in enumerate(self.links):
                with Vertical(classes="link-box", id=f"link-{index}"):
                    yield Label(title, classes="link-title")
                    yield QRCode(url, classes="link-qr")
                    yield Static(url or "Ingen netværk", classes="link-url", markup=False)
        yield Static(self._note(), id="links-note", classes="note", markup=False)
        yield KeyFooter()

    def _note(self) -> str:
        if self.server is None:
            return "Web er slået fra – der er ingen links (start uden --no-web)."
        if not self.links or self.links[0][1] is None:
            return "Ingen netværk – tjek at computeren er på samme Wi-Fi som telefonerne."
        return (
            "Send ikke linkene rundt. Et nyt møde får nye nøgler. "
            "«facilitator links MØDE» skriver dem også ud."
        )

    def on_mount(self) -> None:
        self._fit(self.app.size.width, self.app.size.height)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        self.query_one(KeyFooter).fit(width)
        codes = list(self.query(".link-qr").results(QRCode))
        if not codes:
            return
        rows = height - ROWS_AROUND
        side_by_side = [best_scale(c.modules, (width - 8) // 2, rows) for c in codes]
        fits_both = all(
            c.size_at(s).width <= (width - 8) // 2 and c.size_at(s).height <= rows
            for c, s in zip(codes, side_by_side, strict=True)
        )
        if self.has_class("-one") != (not fits_both):
            self.set_class(not fits_both, "-one")
            self.refresh_bindings()
        for index, code in enumerate(codes):
            box = self.query_one(f"#link-{index}")
            if fits_both:
                code.set_scale(side_by_side[index])
                box.display = True
            else:
                code.set_scale(best_scale(code.modules, width - 4, rows))
                box.display = index == self.showing
                code.display = code.size_at(code.scale).height <= rows
        small = any(not c.display for c in codes if c.url)
        note = self._note()
        if small:
            note = (
                "Vinduet er for lille til QR-koden – gør det større, eller skriv adressen. " + note
            )
        self.query_one("#links-note", Static).update(note)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "swap":
            return self.has_class("-one") and len(self.links) > 1
        return True

    def action_swap(self) -> None:
        if len(self.links) > 1:
            self.showing = (self.showing + 1) % len(self.links)
            self._fit(self.app.size.width, self.app.size.height)

    def action_close(self) -> None:
        self.dismiss()


def wall_urls(server: Any) -> list[str]:
    """The wall page's addresses from the web server (this laptop's own first), or []."""
    urls = getattr(server, "wall_urls", None)
    if server is None or not callable(urls):
        return []
    return [url for url in urls() if url]


class WallLinksScreen(Screen[None]):
    """The wall page's addresses, and what it is for; closes on Escape or w."""

    BINDINGS = [
        bind("back", "close", "Luk", key_display="Esc", priority=True),
        bind("wall", "close", "Luk", show=False, priority=True),  # w closes it too
    ]

    def __init__(
        self, server: Any = None, *, web_enabled: bool = True, error: str | None = None, **kw: Any
    ) -> None:
        super().__init__(**kw)
        self.server = server
        self.web_enabled = web_enabled
        self.error = error
        self.urls = wall_urls(server)

    def compose(self) -> ComposeResult:
        with Vertical(classes="wall-links"):
            yield Label(WALL_TITLE, id="wall-title", classes="wall-title")
            for index, url in enumerate(self.urls):
                where = WALL_WHERE[min(index, len(WALL_WHERE) - 1)]
                yield Static(url, classes="wall-url", markup=False)
                yield Static(where, classes="wall-where", markup=False)
            yield Static(self._note(), id="wall-note", classes="note", markup=False)
        yield KeyFooter()

    def _note(self) -> str:
        if self.urls:
            return WALL_HOWTO
        if self.server is None and not self.web_enabled:
            return "Web er slået fra – der er ingen vægskærm (start uden --no-web)."
        if self.server is None:
            why = f" ({self.error})" if self.error else ""
            return (
                f"Webserveren kører ikke{why} – der er ingen vægskærm. "
                "Prøv igen om lidt, når telefonsiden er startet."
            )
        return "Webserveren giver ingen adresse til vægskærmen."

    def on_mount(self) -> None:
        self.query_one(KeyFooter).fit(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self.query_one(KeyFooter).fit(event.size.width)

    def action_close(self) -> None:
        self.dismiss()
