"""The report-format registry: renderers of an assessment by name (``markdown``, ``summary``).

A format is a function from an ``Assessment`` to text. The built-in ones are registered here
lazily; an HTML report (or a plug-in, through the ``codehazard.report_formats`` entry-point
group) registers with ``@report_formats.register("html")``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from codehazard._registry import Registry

if TYPE_CHECKING:
    from codehazard.hazards import Assessment

ReportFormat = Callable[["Assessment"], str]
"""Renders an assessment as text (Markdown, a terminal summary, HTML...)."""

report_formats: Registry[ReportFormat] = Registry("report format", "codehazard.report_formats")
report_formats.register_lazy(
    "markdown", "codehazard.report._hazards:assessment_markdown", help="markdown"
)
report_formats.register_lazy(
    "summary", "codehazard.report._hazards:assessment_summary", help="summary"
)
