"""The bruttoliste as CSV the way Danish Excel opens it: UTF-8 with BOM, ';' separated."""

from __future__ import annotations

import csv
import io

from facilitator.export.model import Bruttoliste

HEADER = ["Nr.", "Slags", "Gruppe", "Overskrift", "Forslag", "Markeringer", "Tema", "Vurdering"]


def bruttoliste_csv(data: Bruttoliste) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for kind, items in (("Ønske", data.wishes), ("Styrke", data.strengths)):
        for number, item in enumerate(items, 1):
            writer.writerow(
                [
                    number,
                    kind,
                    item.group,
                    item.heading,
                    "\n".join(item.proposals),
                    item.marks if kind == "Ønske" else "",
                    item.theme,
                    item.assessment,
                ]
            )
    return buffer.getvalue().encode("utf-8-sig")
