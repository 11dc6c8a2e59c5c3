"""Reports: text, Markdown, JSON and plots of what the library measured and assessed.

Renderers take a view model (``CurveReport``; an ``Assessment``, itself a versioned pydantic
model) and return text or plain data; they never print and never compute. Formats register in
``report_formats`` (``Registry[ReportFormat]``, entry-point group ``codehazard.report_formats``),
so an HTML report adds one module and no list elsewhere.
"""

from codehazard.report._curve import PLOT_FORMATS, curve_to_dict, plot_curve
from codehazard.report._curve_text import CurveReport, curve_json, curve_text
from codehazard.report._formats import ReportFormat, report_formats
from codehazard.report._hazards import (
    assessment_diff_text,
    assessment_markdown,
    assessment_summary,
    matrix_cells,
)
from codehazard.report._profile_text import profile_text

__all__ = [
    "PLOT_FORMATS",
    "CurveReport",
    "ReportFormat",
    "assessment_diff_text",
    "assessment_markdown",
    "assessment_summary",
    "curve_json",
    "curve_text",
    "curve_to_dict",
    "matrix_cells",
    "plot_curve",
    "profile_text",
    "report_formats",
]
