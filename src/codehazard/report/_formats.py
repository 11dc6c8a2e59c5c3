"""The report-format registries: renderers by name.

``report_formats`` renders an ``Assessment`` (``markdown``, ``summary``: what ``codehazard
assess`` writes); ``report_renderers`` renders a whole ``Report`` (``html``, ``md``, ``json``:
what ``codehazard report --format`` offers). The built-in ones are registered here lazily;
plug-ins register through the entry-point groups ``codehazard.report_formats`` and
``codehazard.report_renderers``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from codehazard._registry import Registry

if TYPE_CHECKING:
    from codehazard.hazards import Assessment
    from codehazard.report._model import Report

ReportFormat = Callable[["Assessment"], str]
"""Renders an assessment as text (Markdown, a terminal summary, HTML...)."""

report_formats: Registry[ReportFormat] = Registry("report format", "codehazard.report_formats")
report_formats.register_lazy(
    "markdown", "codehazard.report._hazards:assessment_markdown", help="markdown"
)
report_formats.register_lazy(
    "summary", "codehazard.report._hazards:assessment_summary", help="summary"
)

ReportRenderer = Callable[["Report"], str]
"""Renders a whole report (HTML, Markdown, JSON...) as text."""

report_renderers: Registry[ReportRenderer] = Registry(
    "report renderer", "codehazard.report_renderers"
)
report_renderers.register_lazy(
    "html", "codehazard.report._html:report_html", help="one self-contained HTML file"
)
report_renderers.register_lazy(
    "md", "codehazard.report._markdown:report_markdown", help="Markdown for reviews"
)
report_renderers.register_lazy(
    "json", "codehazard.report._model:report_json", help="the versioned JSON document"
)
