"""The hazard-analysis section of a report and its overall verdict, from an ``Assessment``.

Words a reviewer reads replace the assessment's internal ones: a likelihood is *measured* or
*expert judgement* (never ``no-rules``), the rule whose level became the likelihood *set the
likelihood* (never ``decisive``), and every residual risk says how it was derived.
"""

from __future__ import annotations

from codehazard.hazards import (
    Assessment,
    EvidenceResult,
    HazardAssessment,
    Profile,
    acceptance_of,
    likelihood_rank,
    risk_rank,
    worst_risk,
)
from codehazard.report._model import (
    EvidenceView,
    HazardRow,
    HazardSection,
    IntervalView,
    LikelihoodSource,
    MatrixCell,
    OverallVerdict,
    SampleSection,
    Scale,
)
from codehazard.report._samples import sample_id

SOURCE_WORDS: dict[str, LikelihoodSource] = {
    "evidence": "measured",
    "no-rules": "expert",
    "no-data": "expert-no-data",
    "eliminated-by-design": "eliminated-by-design",
}
SOURCE_TEXT: dict[str, str] = {
    "measured": "measured in the runs",
    "expert": "expert judgement (no evidence rule)",
    "expert-no-data": "expert judgement (the runs held no data for its rules)",
    "eliminated-by-design": "eliminated by design",
}
DECISION_TEXT = {
    "accept": "Accept",
    "accept-with-mitigations": "Accept with mitigations",
    "do-not-deploy": "Do not deploy",
}
RESIDUAL_METHOD = (
    "Residual risk: evidence measures the model without the deployment's mitigations, so the "
    "credit the expert gave the mitigations (how many likelihood levels the expert residual "
    "likelihood lies below the expert likelihood) is applied to the assessed likelihood; the "
    "residual severity is the expert's. Elimination is by design only."
)
_ORDER = {"accept": 0, "accept-with-mitigations": 1, "do-not-deploy": 2}


def _matrix(profile: Profile, hazards: list[HazardAssessment], residual: bool) -> list[MatrixCell]:
    cells = []
    for s in profile.severity_ids():
        for lk in profile.likelihood_ids():
            level = profile.matrix[s][lk]
            ids = [
                h.id
                for h in hazards
                if (
                    (h.residual_severity, h.residual_likelihood)
                    if residual
                    else (h.severity, h.likelihood)
                )
                == (s, lk)
            ]
            cells.append(
                MatrixCell(
                    severity=s,
                    likelihood=lk,
                    risk=level,
                    rank=risk_rank(profile, level),
                    hazards=ids,
                )
            )
    return cells


def rule_text(r: EvidenceResult) -> str:
    """A rule in words: ``higher is likelier; compares the conservative end; A >= 0.5...``."""
    sign = ">=" if r.rule.likelier_when == "higher" else "<="
    bounds = ", ".join(f"{lvl} if {sign} {b:g}" for lvl, b in r.rule.thresholds.items())
    end = {
        "conservative": "the interval end that makes the hazard likelier",
        "point": "the point value",
        "low": "the interval's low end",
        "high": "the interval's high end",
    }[r.rule.interval]
    other = f", otherwise {r.rule.otherwise}" if r.rule.otherwise else ""
    return f"{r.rule.likelier_when} is likelier; compares {end}; {bounds}{other}"


def _evidence(a: Assessment, h: HazardAssessment, embedded: set[str]) -> list[EvidenceView]:
    out = []
    for i, r in enumerate(h.evidence):
        m = a.measurements.get(r.metric)
        keys = [sample_id(run, k) for run, ks in (m.samples if m else {}).items() for k in ks]
        iv = r.interval
        out.append(
            EvidenceView(
                id=f"ev-{h.id}-{i + 1}",
                metric=r.metric,
                value=r.value,
                interval=None
                if iv is None
                else IntervalView(
                    low=iv.low, high=iv.high, confidence=iv.confidence, method=iv.method
                ),
                n=r.n,
                n_tasks=r.n_tasks,
                rule=rule_text(r),
                level=r.outcome.level,
                set_likelihood=r.decisive,
                reason=r.outcome.reason,
                runs=r.runs,
                n_keys=len(keys),
                sample_keys=[k for k in keys if k in embedded],
            )
        )
    return out


def residual_how(profile: Profile, h: HazardAssessment) -> str:
    """How this hazard's residual risk was derived, in one sentence."""
    eliminated = profile.eliminated_likelihood()
    if eliminated is not None and eliminated in (
        h.expert_likelihood,
        h.expert_residual_likelihood,
        h.likelihood,
    ):
        return f"eliminated by design: residual likelihood {eliminated}"
    credit = likelihood_rank(profile, h.expert_likelihood) - likelihood_rank(
        profile, h.expert_residual_likelihood
    )
    sev = (
        f"; mitigations lower the severity {h.severity} to {h.residual_severity}"
        if h.residual_severity != h.severity
        else ""
    )
    if credit <= 0:
        return (
            f"no mitigation credit: residual likelihood {h.residual_likelihood} is the "
            f"assessed one{sev}"
        )
    return (
        f"the expert credits the mitigations with {credit} level(s) (expert "
        f"{h.expert_likelihood} to {h.expert_residual_likelihood}), applied to the assessed "
        f"likelihood {h.likelihood}: residual likelihood {h.residual_likelihood}{sev}"
    )


def _row(a: Assessment, h: HazardAssessment, embedded: set[str]) -> HazardRow:
    p = a.profile
    return HazardRow(
        id=h.id,
        title=h.title,
        source=h.source,
        status=h.status,
        severity=h.severity,
        severity_name=p.severity(h.severity).name,
        likelihood=h.likelihood,
        likelihood_name=p.likelihood(h.likelihood).name,
        likelihood_source=SOURCE_WORDS.get(h.likelihood_basis, "expert"),
        expert_likelihood=h.expert_likelihood,
        risk=h.risk,
        residual_severity=h.residual_severity,
        residual_likelihood=h.residual_likelihood,
        residual_risk=h.residual_risk,
        residual_how=residual_how(p, h),
        rationale=h.rationale,
        mitigations=[
            f"{m.description} ({m.status}{', owner ' + m.owner if m.owner else ''})"
            for m in h.mitigations
        ],
        evidence=_evidence(a, h, embedded),
        notes=[n.replace("no-rules", "no evidence rule") for n in h.notes],
    )


def hazard_section(a: Assessment, samples: SampleSection) -> HazardSection:
    """The hazard analysis of ``a``, its evidence linked to the embedded samples."""
    p = a.profile
    embedded = {s.id for s in samples.samples}
    return HazardSection(
        log_title=a.log.title,
        log_source=a.log.source,
        log_sha256=a.log.sha256,
        profile=p.name,
        confidence=a.confidence,
        assessment_runs=[r.id for r in a.runs],
        severities=[Scale(id=s.id, name=s.name, definition=s.definition) for s in p.severities],
        likelihoods=[
            Scale(id=lk.id, name=lk.name, definition=lk.definition) for lk in p.likelihoods
        ],
        risk_levels=[
            Scale(id=r.id, name=r.id, definition=r.description, acceptance=acceptance_of(p, r.id))
            for r in p.risk_levels
        ],
        matrix=_matrix(p, a.hazards, residual=False),
        residual_matrix=_matrix(p, a.hazards, residual=True),
        hazards=[_row(a, h, embedded) for h in a.hazards],
        residual_method=RESIDUAL_METHOD,
        notes=list(a.notes),
    )


def overall_verdict(a: Assessment) -> OverallVerdict:
    """Accept, accept with mitigations, or do not deploy: the worst acceptance among the
    hazards' residual risks, and among their unmitigated risks when the residual ones are
    all acceptable (then the mitigations are what the acceptance relies on)."""
    p = a.profile
    residual = {h.id: acceptance_of(p, h.residual_risk) for h in a.hazards}
    before = {h.id: acceptance_of(p, h.risk) for h in a.hazards}
    worst_after = max(residual.values(), key=_ORDER.__getitem__, default="accept")
    decision = worst_after
    if decision == "accept" and any(v != "accept" for v in before.values()):
        decision = "accept-with-mitigations"
    reasons = []
    if decision == "do-not-deploy":
        ids = [h for h, v in residual.items() if v == "do-not-deploy"]
        reasons.append(
            f"residual risk of {', '.join(ids)} is not acceptable after mitigation "
            f"({', '.join(sorted({h.residual_risk for h in a.hazards if h.id in ids}))})"
        )
    elif decision == "accept-with-mitigations":
        ids = [h.id for h in a.hazards if residual[h.id] != "accept" or before[h.id] != "accept"]
        reasons.append(f"acceptable only with the mitigations of {', '.join(ids)} in place")
    else:
        reasons.append("every hazard's risk is acceptable as it is")
    relied = [
        f"{h.id}: {m.description} ({m.status})"
        for h in a.hazards
        if before[h.id] != "accept"
        for m in h.mitigations
    ]
    bare = [h.id for h in a.hazards if before[h.id] != "accept" and not h.mitigations]
    if decision != "do-not-deploy" and bare:
        reasons.append(f"{', '.join(bare)}: mitigations are needed but the log records none")
    unproven = [r for r in relied if not r.endswith(("(implemented)", "(verified)"))]
    if decision != "do-not-deploy" and unproven:
        reasons.append(f"{len(unproven)} relied-on mitigation(s) are not yet implemented")
    if any(r.simulated for r in a.runs):
        reasons.append("evidence from the simulator measures no model: not a real verdict")
    return OverallVerdict(
        decision=decision,
        label=DECISION_TEXT[decision],
        highest_risk=worst_risk(a),
        highest_residual_risk=worst_risk(a, residual=True),
        reasons=reasons,
        relied_on=relied if decision != "accept" else [],
    )
