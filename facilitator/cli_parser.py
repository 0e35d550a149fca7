"""The `facilitator` command's arguments: every subcommand and option, in Danish."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

PROG = "facilitator"


class DanishHelp(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001, ANN201
        return super().add_usage(usage, actions, groups, "Brug: " if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """argparse with Danish headings; errors are one line and exit status 2."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        kwargs.setdefault("formatter_class", DanishHelp)
        super().__init__(*args, **kwargs)
        self._positionals.title = "argumenter"
        self._optionals.title = "valg"
        for action in self._actions:
            if action.dest == "help":
                action.help = "vis denne hjælp og afslut"

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fejl: {message}\n")


# ---------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description="Mødelederens værktøj til APV-dialogmøder. Uden kommando: startskærmen.",
    )
    parser.add_argument("--db", help="database-URL (ellers FACILITATOR_DB eller SQLite-standard)")
    sub = parser.add_subparsers(dest="command", metavar="KOMMANDO", parser_class=Parser)
    sub.title = "kommandoer"

    def db_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", dest="sub_db", metavar="URL", help="database-URL (SQLAlchemy)")

    def web_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", help="adressen telefonerne bruger (standard: LAN-adressen)")
        p.add_argument("--port", type=int, default=8765, help="port (standard 8765)")

    def limit_args(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--max-connections",
            type=int,
            metavar="N",
            help="højst N åbne forbindelser fra én adresse (standard 64); hæv det, når alle "
            "telefonerne kommer gennem én NAT-adresse",
        )
        p.add_argument(
            "--max-new-phones",
            type=int,
            metavar="N",
            help="højst N nye telefoner i minuttet fra én adresse (standard 60); hæv det, når "
            "alle telefonerne kommer gennem én NAT-adresse",
        )

    p = sub.add_parser("demo", help="demo-mødet i sin egen database, direkte på projektoren")
    p.add_argument("--reset", action="store_true", help="start demo-mødet forfra")
    p.add_argument("--no-web", action="store_true", help="uden telefonsiden")
    web_args(p)
    limit_args(p)

    from facilitator.meeting_size import GROUPS_MAX, PARTICIPANTS_MAX

    p = sub.add_parser(
        "new",
        help="opret et nyt møde; skriver mødets id på sidste linje",
        description="Opret et nyt møde. Interviewet holdes i grupper på 3 ud fra antal "
        f"deltagere; resten i grupper på 4. Grænser: grupper 1–{GROUPS_MAX}, deltagere "
        f"1–{PARTICIPANTS_MAX} (metoden er til 10–80 medarbejdere).",
    )
    p.add_argument("--agenda", required=True, metavar="NAVN|FIL", help="dagsorden (navn eller fil)")
    p.add_argument("--title", required=True, help="mødets titel")
    p.add_argument(
        "--groups",
        type=int,
        metavar="N",
        help=f"antal grupper på 4, 1–{GROUPS_MAX} (udeladt: regnes ud fra --participants)",
    )
    p.add_argument(
        "--participants", type=int, metavar="N", help=f"antal deltagere, 1–{PARTICIPANTS_MAX}"
    )
    p.add_argument(
        "--forloeb",
        type=int,
        metavar="ID",
        help="APV-forløbet, mødet hører til (udeladt: mødet får sit eget forløb)",
    )
    db_arg(p)

    p = sub.add_parser("run", help="kør mødet på projektoren")
    p.add_argument("meeting", metavar="MØDE", help="mødets id")
    p.add_argument("--no-web", action="store_true", help="uden telefonsiden")
    web_args(p)
    limit_args(p)
    db_arg(p)

    p = sub.add_parser("serve", help="motor og telefonside uden skærmbillede")
    p.add_argument("meeting", metavar="MØDE", help="mødets id")
    web_args(p)
    limit_args(p)
    db_arg(p)

    p = sub.add_parser("links", help="adresserne til mødet: deltagere, assistenter, fjernbetjening")
    p.add_argument("meeting", metavar="MØDE", help="mødets id")
    web_args(p)
    p.add_argument(
        "--qr",
        metavar="FIL.svg|FIL.png",
        help="skriv et QR-kort til bordene med deltageradressen (SVG: kort med tekst; PNG: koden)",
    )
    p.add_argument(
        "--rotate",
        action="store_true",
        help="nye nøgler til assistent- og fjernbetjeningslinket (de gamle holder op med at virke)",
    )
    db_arg(p)

    p = sub.add_parser(
        "check",
        help="tjek før mødet: adresse, port, database, terminal og telefonerne",
        description="Tjek før mødet: adressen telefonerne bruger (og maskinens netværkskort), "
        "at porten er ledig (eller at mødets egen server allerede kører på den), at databasen "
        "kan skrives, og terminalens størrelse og tegnsæt. Derefter en QR-kode til /check: "
        "hver telefon, der åbner den, tælles med det samme. Slut med Enter (eller --wait). "
        "Afslutter med 0, når de lokale tjek er i orden, og 2, når et fejler.",
    )
    p.add_argument("meeting", nargs="?", metavar="MØDE", help="mødets id eller kode (skal findes)")
    web_args(p)
    p.add_argument(
        "--wait",
        type=float,
        metavar="SEKUNDER",
        help="vent højst så længe på telefoner (uden terminal og uden --wait: ingen ventetid)",
    )
    db_arg(p)

    p = sub.add_parser("agendas", help="dagsordener: vis liste, vis én, tjek en fil")
    p.add_argument("action", nargs="?", choices=["show", "check"], help="show NAVN | check FIL")
    p.add_argument("target", nargs="?", metavar="NAVN|FIL")

    p = sub.add_parser(
        "export",
        help="eksportér bruttolisten, handleplanen eller hele forløbet",
        description="Eksportér et mødes eller et forløbs bruttoliste eller handleplan, eller "
        "hele forløbet som arkiv (json). Særskilt spor skrives kun med --include-confidential, "
        "og da i en fil for sig ved siden af: NAVN-FORTROLIGT.FORMAT.",
    )
    p.add_argument("meeting", nargs="?", metavar="MØDE", help="mødets id (eller --forloeb)")
    p.add_argument("--forloeb", type=int, metavar="ID", help="hele forløbet i stedet for et møde")
    p.add_argument("--what", required=True, choices=["bruttoliste", "handleplan", "forloeb"])
    p.add_argument("--format", required=True, choices=["md", "csv", "xlsx", "docx", "json"])
    p.add_argument("-o", "--output", metavar="FIL", help="filen (ellers standard-output)")
    p.add_argument(
        "--include-confidential",
        action="store_true",
        help="skriv også særskilt spor – i en fil for sig, mærket FORTROLIGT (kræver -o)",
    )
    db_arg(p)

    from facilitator.course.model import PLAN_STEP_NAMES

    p = sub.add_parser(
        "forloeb",
        help="APV-forløbene: vis dem, eller opret et med new",
        description="Et APV-forløb samler én arbejdsplads' dialogmøder, vurdering, "
        "handleplan og sygefravær. Uden handling: listen over forløb.",
    )
    p.add_argument("action", nargs="?", choices=["new"], help="new: opret et forløb")
    p.add_argument("--workplace", metavar="TEKST", help="arbejdspladsen (kræves ved new)")
    p.add_argument("--unit", metavar="TEKST", default="", help="enheden")
    p.add_argument("--tovholder", metavar="NAVN", default="", help="tovholderen")
    p.add_argument("--moedeleder", metavar="NAVN", default="", help="mødelederen")
    p.add_argument(
        "--help-contact",
        action="append",
        default=[],
        metavar="TEKST",
        help="hvor man kan få hjælp (vold, trusler, mobning, chikane); kan gentages",
    )
    p.add_argument(
        "--plan",
        action="append",
        default=[],
        metavar="TRIN=DATO",
        help="en planlagt dato, fx dialogmoede-2=14-01-2027; kan gentages. Trin: "
        + ", ".join(PLAN_STEP_NAMES),
    )
    db_arg(p)

    p = sub.add_parser(
        "import",
        help="indlæs et forløbsarkiv (json fra export --what forloeb) som et nyt forløb",
    )
    p.add_argument("file", metavar="FIL.json", help="arkivet")
    db_arg(p)

    p = sub.add_parser(
        "status", help="hvert forløb: næste skridt, overskredne opfølgninger, revisionsdato"
    )
    db_arg(p)

    p = sub.add_parser(
        "delete", help="slet et møde, eller et helt forløb, og alt indholdet (kan ikke fortrydes)"
    )
    p.add_argument("meeting", nargs="?", metavar="MØDE", help="mødets id (eller --forloeb)")
    p.add_argument("--forloeb", type=int, metavar="ID", help="slet hele forløbet med dets møder")
    p.add_argument("--yes", action="store_true", help="spørg ikke først")
    db_arg(p)
    return parser


# ---------------------------------------------------------------------- helpers
