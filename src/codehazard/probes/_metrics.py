"""The ``probe.<probe>.<statistic>`` metric family: every registered probe's statistics.

One family serves all probes: the name's probe part picks the registered ``Probe`` and the
statistic one of its ``ProbeMetric``s, so a new probe gets its metrics (with intervals and the
samples behind them, for the hazard assessment to cite) by declaring them, and the metric
registry never lists probes. A record belongs to probe ``p`` when its task metadata says
``probe: p`` and the probe's scorer scored it; ``probe.*.<statistic>`` selects every probe
that defines the statistic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from codehazard.metrics import (
    Measurement,
    MetricName,
    MetricRecord,
    UnknownMetricError,
    absent,
    metric_family,
    rate_measurement,
)
from codehazard.probes._probe import Probe, ProbeOutcome

_SELECTOR_VALUE = re.compile(r"[A-Za-z0-9_.\-]+")
"""Values a metric selector can name without quoting (others are left out of reports)."""


def _natural(value: str) -> tuple[Any, ...]:
    """Sort key putting ``CWE-79`` before ``CWE-327``: digit runs compare as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", value))


def _values(records: Sequence[MetricRecord], key: str) -> set[str]:
    """The values of a metadata key among ``records``, the members of list values."""
    out: set[str] = set()
    for r in records:
        value = r.metadata.get(key)
        items = value if isinstance(value, list | tuple) else [value]
        out |= {str(v) for v in items if v is not None}
    return out


def _probes() -> Any:
    from codehazard.probes import get_probe, probe_names, probe_registry

    return probe_registry, get_probe, probe_names


def outcome_of(record: MetricRecord, probe: str) -> ProbeOutcome | None:
    """The probe's view of one record, or ``None`` when the probe did not score it."""
    scores = getattr(record, "scores", {}) or {}
    details = (getattr(record, "details", {}) or {}).get(probe)
    if probe not in scores or not isinstance(details, dict):
        return None
    return ProbeOutcome(
        record=record,
        value=scores[probe],
        status=str(details.get("status", "error")),
        findings=tuple(f for f in details.get("findings", []) if isinstance(f, dict)),
        metadata=dict(details.get("analysis", {}) or {}),
    )


def probe_outcomes(
    records: Sequence[MetricRecord], probe: str, metric: MetricName | None = None
) -> list[ProbeOutcome]:
    """The outcomes of ``probe`` among ``records`` (their tasks naming it), filtered by the
    metric's selectors on task metadata."""
    out = []
    for record in records:
        if record.metadata.get("probe") != probe:
            continue
        if metric is not None and not metric.selects(record.metadata):
            continue
        outcome = outcome_of(record, probe)
        if outcome is not None:
            out.append(outcome)
    return out


@metric_family
class ProbeStatistic:
    """``probe.<probe>.<statistic>``: a statistic a registered probe declares."""

    pattern = "probe.<probe>.<statistic>"
    description = (
        "a registered probe's statistic over the samples its scorer analysed (rates with the "
        "cluster-score interval over tasks); samples it could not analyse are left out"
    )

    def _named(self, parts: Mapping[str, str]) -> list[Probe]:
        registry, get_probe, probe_names = _probes()
        names = probe_names() if parts["probe"] == "*" else [parts["probe"]]
        found = []
        for name in names:
            if name in registry:
                probe = get_probe(name)
                if probe.metric(parts["statistic"]) is not None:
                    found.append(probe)
        return found

    def report_metrics(self, records: Sequence[MetricRecord]) -> list[str]:
        """What a report shows of the probes that scored ``records``: every statistic of each,
        and each again per value of each of the probe's ``breakdown`` keys among its records
        (a list-valued key, such as the attributes a bias task tests, per member)."""
        registry, get_probe, probe_names = _probes()
        names: list[str] = []
        for name in probe_names():
            if name not in registry:
                continue
            probe = get_probe(name)
            mine = [r for r in records if outcome_of(r, name) is not None]
            if not mine:
                continue
            stats = [m.statistic for m in probe.metrics]
            names += [f"probe.{name}.{s}" for s in stats]
            keys = (probe.breakdown,) if isinstance(probe.breakdown, str) else probe.breakdown
            for key in keys or ():
                for value in sorted(_values(mine, key), key=_natural):
                    if _SELECTOR_VALUE.fullmatch(value):
                        names += [f"probe.{name}.{s}{{{key}={value}}}" for s in stats]
        return names

    def check(self, metric: MetricName, parts: Mapping[str, str]) -> str | None:
        """Accept a registered probe's declared statistic.

        Raises:
            UnknownMetricError: no probe of that name is registered: the name is unknown, as
                one no family's pattern matches.
        """
        _, get_probe, probe_names = _probes()
        if parts["probe"] != "*" and parts["probe"] not in probe_names():
            known = ", ".join(probe_names()) or "none"
            raise UnknownMetricError(
                f"no suite or probe defines metric {metric.text!r} (no probe "
                f"{parts['probe']!r} is registered; probes: {known})",
                kind="metric family",
                name=metric.text,
            )
        if not self._named(parts):
            if parts["probe"] == "*":
                return f"no probe defines the statistic {parts['statistic']!r}"
            probe = get_probe(parts["probe"])
            known = ", ".join(m.statistic for m in probe.metrics) or "none"
            return f"probe {probe.name!r} has no statistic {parts['statistic']!r}; it has {known}"
        return None

    def measure(
        self,
        metric: MetricName,
        parts: Mapping[str, str],
        records: Sequence[MetricRecord],
        confidence: float,
    ) -> Measurement:
        """The statistic over the selected outcomes of the probe(s)."""
        probes = self._named(parts)
        outcomes = [o for p in probes for o in probe_outcomes(records, p.name, metric)]
        definition = probes[0].metric(parts["statistic"])
        assert definition is not None
        if definition.measure is not None:
            return definition.measure(metric, outcomes, confidence, metric.text, self.pattern)
        chosen = [o for o in outcomes if definition.counted(o)]
        by_record = {id(o.record): o for o in chosen}
        event = definition.event
        assert event is not None
        if not chosen:
            where = ", ".join(p.name for p in probes)
            return absent(
                metric.text,
                self.pattern,
                f"no samples analysed by probe {where}"
                + (" matching the selectors" if metric.selectors else "")
                + " in the runs given",
            )
        return rate_measurement(
            metric.text,
            self.pattern,
            [o.record for o in chosen],
            lambda r: event(by_record[id(r)]),
            confidence=confidence,
        )
