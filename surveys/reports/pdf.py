"""Turning a member's report page into a tagged PDF (PDF/UA-1) with WeasyPrint.

WeasyPrint was chosen for accessibility: it writes a structure tree from the HTML
(headings, tables with their header cells, figures with alt text) and the document's
language, so screen readers can read the report. Charts go in as SVG data URLs, so the PDF
keeps them sharp and needs nothing from the network.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass

from flask import render_template

PDF_VARIANT = "pdf/ua-1"
# WeasyPrint logs every layout step at INFO: a worker's log needs only its warnings.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@dataclass(frozen=True)
class ReportChart:
    """A chart as the report prints it: its picture (if drawn) and the table of its figures."""

    title: str
    alt_text: str
    caption: str
    headers: list[str]
    rows: list[list]
    image: bytes | None = None
    image_type: str = "image/svg+xml"

    @property
    def data_url(self) -> str | None:
        if self.image is None:
            return None
        encoded = base64.b64encode(self.image).decode("ascii")
        return f"data:{self.image_type};base64,{encoded}"


def report_html(dashboard, charts: list[ReportChart]) -> str:
    """The report as a standalone HTML document (no links to the site, no scripts)."""
    return render_template("reports/member_report.html", dashboard=dashboard, charts=charts)


def pdf_from_html(html: str) -> bytes:
    """Lay out ``html`` as a tagged PDF (its <title> and lang become the PDF's)."""
    # Imported here: only the report job lays out PDFs, and WeasyPrint is slow to load.
    from weasyprint import HTML

    return HTML(string=html, base_url=None).write_pdf(pdf_variant=PDF_VARIANT) or b""
