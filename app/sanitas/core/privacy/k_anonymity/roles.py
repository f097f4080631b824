"""Propose each column's role for k-anonymity from what detection found.

The kind is a finding; the role is the analyst's decision (stored in the recipe's k_anonymity
section). The proposal: identifiers and free text are identifying (a column action must remove or
replace them), quasi-identifiers are quasi-identifying, sensitive attributes are sensitive, and the
rest is insensitive, except a text column whose values are almost all distinct, which identifies
rows on its own whatever detection says (a unique code is a key).
"""

from __future__ import annotations

from enum import StrEnum

from sanitas.core.detect.findings import ColumnFinding, ColumnKind, ScanResult

UNIQUE_SHARE = 0.95


class Role(StrEnum):
    IDENTIFYING = "identifying"
    QUASI_IDENTIFYING = "quasi-identifying"
    SENSITIVE = "sensitive"
    INSENSITIVE = "insensitive"


BY_KIND = {
    ColumnKind.IDENTIFIER: Role.IDENTIFYING,
    ColumnKind.FREE_TEXT: Role.IDENTIFYING,
    ColumnKind.QUASI_IDENTIFIER: Role.QUASI_IDENTIFYING,
    ColumnKind.SENSITIVE: Role.SENSITIVE,
}


def propose_role(finding: ColumnFinding | None, kind: ColumnKind | None = None) -> Role:
    """``kind`` is the analyst's correction when there is one; without a finding, the kind alone decides."""
    kind = kind or (finding.kind if finding is not None else None)
    if kind in BY_KIND:
        return BY_KIND[kind]
    if finding is None:
        return Role.INSENSITIVE
    textual = finding.dtype in ("String", "Utf8", "Categorical")
    if textual and finding.distinct_share >= UNIQUE_SHARE and finding.sampled >= 20:
        return Role.IDENTIFYING
    return Role.INSENSITIVE


def propose_roles(scan: ScanResult) -> dict[str, Role]:
    return {finding.name: propose_role(finding) for finding in scan.columns}


def columns_with_role(roles: dict[str, Role], role: Role) -> list[str]:
    return [name for name, r in roles.items() if r is role]
