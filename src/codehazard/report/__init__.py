"""Reports: text, Markdown, JSON, HTML and plots of what the library measured and assessed.

Renderers take a view model (``CurveReport``; an ``Assessment``; a ``Report``, all versioned
pydantic models) and return text or plain data; they never print. ``build_report`` reads runs
from the store (and an assessment) into one ``Report``, which ``report_html``,
``report_markdown`` and ``report_json`` render with the same numbers. Formats register in
``report_formats`` (assessments) and ``report_renderers`` (reports). See ``docs/report.md``.
"""

from codehazard.report._build import ReportOptions, build_report
from codehazard.report._curve import PLOT_FORMATS, curve_to_dict, plot_curve
from codehazard.report._curve_text import CurveReport, curve_json, curve_text
from codehazard.report._formats import (
    ReportFormat,
    ReportRenderer,
    report_formats,
    report_renderers,
)
from codehazard.report._hazards import (
    assessment_diff_text,
    assessment_markdown,
    assessment_summary,
    matrix_cells,
)
from codehazard.report._html import report_html
from codehazard.report._human_view import human_comparison, human_comparison_lines
from codehazard.report._markdown import report_markdown
from codehazard.report._model import (
    REPORT_SCHEMA_VERSION,
    ProfileTable,
    Report,
    report_json,
    report_schema,
)
from codehazard.report._profile_text import profile_text
from codehazard.report._samples import DEFAULT_CAP, DEFAULT_TEXT_LIMIT

__all__ = [
    "DEFAULT_CAP",
    "DEFAULT_TEXT_LIMIT",
    "PLOT_FORMATS",
    "REPORT_SCHEMA_VERSION",
    "CurveReport",
    "ProfileTable",
    "Report",
    "ReportFormat",
    "ReportOptions",
    "ReportRenderer",
    "assessment_diff_text",
    "assessment_markdown",
    "assessment_summary",
    "build_report",
    "curve_json",
    "curve_text",
    "curve_to_dict",
    "human_comparison",
    "human_comparison_lines",
    "matrix_cells",
    "plot_curve",
    "profile_text",
    "report_formats",
    "report_html",
    "report_json",
    "report_markdown",
    "report_renderers",
    "report_schema",
]
