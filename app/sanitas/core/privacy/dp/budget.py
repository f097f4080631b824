"""The privacy budget: column shares and figure shares compose (sequentially) under diffprivlib's
BudgetAccountant, and a plan that asks for more than the section's total is refused before any work.

Sequential composition is the accountant's default (slack 0): epsilons add up, deltas compose as
1 - prod(1 - delta_i). Groups of one figure are disjoint, so a figure's share covers all its groups.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sanitas.core.privacy.dp.section import DifferentialPrivacySection

TOLERANCE = 1e-9  # relative: 0.1 + 0.2 + 0.7 is 1.0000000000000002 in floating point, and still fits 1.0
SHOWN = 3


@dataclass(frozen=True)
class Share:
    """One item of the plan: what spends it, and how much."""

    label: str
    epsilon: float
    delta: float


def aggregate_deltas(
    section: DifferentialPrivacySection,
    column_shares: Mapping[str, tuple[float, float]],
    hierarchy_columns: Collection[str] = (),
) -> list[float]:
    """Each figure's delta: its own, or an even split of the delta the columns and named shares leave.

    Only figures with undeclared group keys need one (DP key selection); the others get 0 unless named.
    ``hierarchy_columns``: columns whose hierarchy declares their keys (they count as declared).
    """
    named = sum(a.delta or 0.0 for a in section.aggregates) + sum(d for _, d in column_shares.values())
    waiting = [i for i, a in enumerate(section.aggregates) if a.delta is None and a.undeclared_by(hierarchy_columns)]
    left = max(section.delta - named, 0.0)
    deltas = [a.delta or 0.0 for a in section.aggregates]
    for i in waiting:
        deltas[i] = left / len(waiting)
    return deltas


def plan_shares(
    section: DifferentialPrivacySection,
    column_shares: Mapping[str, tuple[float, float]],
    hierarchy_columns: Collection[str] = (),
) -> list[Share]:
    """Every share the release spends: the dp_noise columns, then the figures."""
    shares = [Share(f"column '{c}'", e, d) for c, (e, d) in column_shares.items()]
    deltas = aggregate_deltas(section, column_shares, hierarchy_columns)
    shares += [Share(a.label(i), a.epsilon, deltas[i]) for i, a in enumerate(section.aggregates)]
    return shares


def composed(shares: list[Share]) -> tuple[float, float]:
    """(epsilon, delta) of all shares together, as diffprivlib's BudgetAccountant composes them."""
    from diffprivlib.accountant import BudgetAccountant  # lazy: diffprivlib imports scikit-learn

    if not shares:
        return 0.0, 0.0
    total = BudgetAccountant().total(spent_budget=[(s.epsilon, s.delta) for s in shares])
    return float(total[0]), float(total[1])


def _biggest(shares: list[Share], key: str) -> str:
    ranked = sorted(shares, key=lambda s: getattr(s, key), reverse=True)[:SHOWN]
    return ", ".join(f"{s.label} {getattr(s, key):g}" for s in ranked if getattr(s, key) > 0)


def budget_problems(
    section: DifferentialPrivacySection,
    column_shares: Mapping[str, tuple[float, float]],
    hierarchy_columns: Collection[str] = (),
) -> list[str]:
    """What is wrong with the plan's budget, before any work: over-spent epsilon or delta, group keys
    that need a delta the section does not have. ``column_shares``: {column: (epsilon, delta)} of the
    dp_noise actions; ``hierarchy_columns``: columns whose keys a hierarchy declares."""
    problems: list[str] = []
    if section.output == "aggregates" and column_shares:
        problems.append(
            "differential_privacy.output is aggregates, so no record is released: the dp_noise actions on "
            f"{', '.join(repr(c) for c in column_shares)} would only spend budget; give those columns keep"
        )
    shares = plan_shares(section, column_shares, hierarchy_columns)
    eps, delta = composed(shares)
    if eps > section.epsilon * (1 + TOLERANCE):
        problems.append(
            f"differential_privacy.epsilon is {section.epsilon:g} but the shares ask for {eps:g} in total "
            f"(biggest: {_biggest(shares, 'epsilon')}); lower the shares or raise the total"
        )
    if delta > section.delta * (1 + TOLERANCE) + 1e-300:
        problems.append(
            f"differential_privacy.delta is {section.delta:g} but the shares ask for {delta:g} in total "
            f"(biggest: {_biggest(shares, 'delta')}); lower the shares or raise the total"
        )
    deltas = aggregate_deltas(section, column_shares, hierarchy_columns)
    for i, agg in enumerate(section.aggregates):
        undeclared = agg.undeclared_by(hierarchy_columns)
        if undeclared and not deltas[i] > 0:
            cols = ", ".join(undeclared)
            problems.append(
                f"{agg.label(i)}: the groups of {cols} are not declared, and a group key can itself single a "
                f"person out; declare them (domains: {{{undeclared[0]}: [...]}} or a hierarchy), or give "
                "differential_privacy.delta > 0 (with delta left for this figure) so that only groups whose "
                "noisy count passes a threshold are released"
            )
    return problems


def spend(section: DifferentialPrivacySection, shares: list[Share]) -> tuple[float, float]:
    """Spend every share in a BudgetAccountant holding the section's total (BudgetError past it) and
    return what was spent. Called at run time, after ``budget_problems`` found nothing."""
    from diffprivlib.accountant import BudgetAccountant

    accountant = BudgetAccountant(epsilon=section.epsilon * (1 + TOLERANCE),
                                  delta=min(1.0, section.delta * (1 + TOLERANCE)))
    for share in shares:
        accountant.spend(share.epsilon, share.delta)
    spent = accountant.total()
    return float(spent[0]), float(spent[1])
