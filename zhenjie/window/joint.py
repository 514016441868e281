"""Joint decisions (联合办理): who gives an opinion, who decides, and what the result is.

行政许可法 Art. 26 para. 2: where a licence is exercised by two or more departments, one may take
the application in and the others each give their opinion before it is decided as one, or they
handle it jointly; Art. 42 para. 2: 45 working days (+15). Routing (`window/routing.py`) gives each
deciding unit its own `decide` work, the first route being the lead (牵头单位).

The rule here:
- every co-deciding unit (a route that is not the lead) records its own opinion — approve or
  refuse, its reasons (required to refuse, Art. 38 para. 2) and the legal basis of its own power —
  with the `co_decide` step, which finishes only its own `decide` work; the case stays in review;
- the lead decides last (`approve` / `refuse`), once every co-deciding unit has given its opinion;
- each unit decides within its own power only, and the licence needs every one of them: a
  co-deciding unit's refusal makes the result a refusal. The lead may still approve only by
  writing why the refusal does not stand in the way (e.g. it concerned a matter outside that
  unit's power, or the applicant has since supplied what it found missing); that reason is kept
  on the lead's opinion and printed on the 准予决定书 beside every unit's opinion.

An application with a single route (or none: one decided before routing was recorded) is not
joint: its decider approves or refuses as before."""

from zhenjie.kernel.errors import Conflict, Forbidden, Rejected

from .models import Application, Decision, DecisionRoute, Opinion

DECIDE = "decide"


def routes_of(application: Application) -> list[DecisionRoute]:
    return list(DecisionRoute.objects.filter(application=application).select_related("unit").order_by("position"))


def is_joint(routes: list[DecisionRoute]) -> bool:
    return len(routes) > 1


def lead_of(routes: list[DecisionRoute]) -> DecisionRoute:
    return next((r for r in routes if r.lead), routes[0])


# ---- rules (standing → error or None), read by the workflow's transitions -----------------


def _routes(standing) -> list[DecisionRoute]:
    from .rules_decision import application_of

    return standing.memo("routes", lambda: routes_of(application_of(standing)))


def _mine(standing, work) -> bool:
    reach = standing.reach
    return (
        work.unit_id in reach.unit_ids
        and (work.user_id is None or work.user_id in reach.user_ids)
        and (not work.role or work.role in reach.roles_in_unit(work.unit_id))
    )


def own_route(standing) -> DecisionRoute | None:
    """The co-deciding route whose open `decide` work is the actor's, if any."""
    routes = _routes(standing)
    lead = lead_of(routes)
    open_units = {work.unit_id for work in standing.open_work if work.todo == DECIDE and _mine(standing, work)}
    return next((r for r in routes if r.pk != lead.pk and r.unit_id in open_units), None)


def why_not_lead_decision(standing) -> Forbidden | Conflict | None:
    """For approve / refuse on a joint application: only the lead, and only after every other
    unit's opinion. None for an application that is not joint."""
    routes = _routes(standing)
    if not is_joint(routes):
        return None
    lead = lead_of(routes)
    decide = [work for work in standing.open_work if work.todo == DECIDE]
    if not any(work.unit_id == lead.unit_id and _mine(standing, work) for work in decide):
        if any(_mine(standing, work) for work in decide):
            return Forbidden("application.not_lead", f"联合办理事项由牵头单位{lead.unit.name}作出决定，本单位请提出意见")
        return None  # not a decider at all: the caller's general rule answers
    waiting = [r.unit.name for r in routes if r.pk != lead.pk and any(work.unit_id == r.unit_id for work in decide)]
    if waiting:
        return Conflict("application.awaiting_opinions", f"尚待{'、'.join(waiting)}提出意见，各单位意见齐备后由牵头单位作出决定")
    return None


def may_co_decide(standing) -> Forbidden | Conflict | None:
    """Who may record a co-deciding unit's opinion: a member of a co-deciding unit (holding the
    role its `decide` work asks for), once. Out of turn (not under review) is the engine's."""
    from .workflow import State

    routes = _routes(standing)
    if standing.case.state != State.REVIEWING:
        # A routed unit too late (the lead has decided): out of turn; anyone else is the engine's.
        if is_joint(routes) and any(r.unit_id in standing.reach.unit_ids for r in routes):
            return Conflict("application.not_reviewing", "该申请已不在审批中，不能再提出意见，请刷新后查看")
        return None
    if not is_joint(routes):
        return Forbidden("application.not_joint", "该事项不是联合办理事项，由审批单位直接作出决定")
    if own_route(standing) is not None:
        lead = lead_of(routes)
        if any(work.todo == DECIDE and work.unit_id == lead.unit_id and _mine(standing, work) for work in standing.open_work):
            # The step finishes the actor's work (complete="actor"): the lead's would go with it.
            return Forbidden("application.both_units", f"您同时承担牵头单位{lead.unit.name}的审批，本单位意见请由其他人员提出")
        return None
    reach = standing.reach
    lead = lead_of(routes)
    mine = [r for r in routes if r.unit_id in reach.unit_ids]
    if not mine:
        return Forbidden("application.not_decider", "只有参与联合办理的单位可以提出意见")
    if all(r.pk == lead.pk for r in mine):
        return Forbidden("application.lead_decides", "牵头单位在各单位意见齐备后直接作出决定")
    return Conflict("application.opinion_given", "本单位已提出意见，不能重复提出")


# ---- the lead's result ------------------------------------------------------------------


def check_result(application: Application, decision: str, overruling: str) -> str:
    """The lead's `overruling` as it is to be kept: required when approving against a refusal,
    refused when there is nothing to overrule (so it never prints on a paper by mistake)."""
    overruling = (overruling or "").strip()
    refused_by = [o.unit.name for o in Opinion.objects.filter(application=application, lead=False, decision=Decision.REFUSED).select_related("unit")]
    if decision == Decision.APPROVED and refused_by and not overruling:
        raise Rejected(
            "application.joint_refused",
            f"{'、'.join(refused_by)}提出不同意意见：联合办理事项须各单位均同意方可准予；如仍准予，须写明不采纳其意见的理由",
            field="overruling",
        )
    if overruling and not (decision == Decision.APPROVED and refused_by):
        raise Rejected("application.nothing_to_overrule", "没有需要不采纳的不同意见，请勿填写该理由", field="overruling")
    return overruling


def opinions_text(application: Application) -> str:
    """The 审批单位意见 line of the 决定书: the deciding unit, or for a joint item every unit's
    opinion with its basis, the lead's last (and its reasons for overruling a refusal)."""
    routes = routes_of(application)
    if not is_joint(routes):
        unit = routes[0].unit if routes else application.deciding_unit
        return unit.name if unit is not None else "—"
    lead = lead_of(routes)
    by_unit = {o.unit_id: o for o in Opinion.objects.filter(application=application)}
    lines = [f"联合办理，牵头单位{lead.unit.name}"]
    for route in sorted(routes, key=lambda r: r.lead):
        opinion = by_unit.get(route.unit_id)
        if opinion is None:
            lines.append(f"{route.unit.name}：未提出意见")
            continue
        said = f"：{opinion.reason}" if opinion.reason else ""
        lines.append(f"{route.unit.name}：{opinion.get_decision_display()}{said}（依据：{opinion.legal_basis or '—'}）")
        if opinion.overruling:
            lines.append(f"牵头单位不采纳不同意见的理由：{opinion.overruling}")
    return "\n".join(lines)
