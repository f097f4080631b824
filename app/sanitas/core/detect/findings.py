"""What detection says about a column: the facts the plan, the GUI and the report build on."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class ColumnKind(StrEnum):
    """How a column matters for privacy. A finding, not a decision (the recipe holds decisions)."""

    IDENTIFIER = "identifier"  # points at one person on its own: name, email, SSN, card, customer id
    QUASI_IDENTIFIER = "quasi-identifier"  # identifies in combination: age, sex, ZIP, dates, city
    SENSITIVE = "sensitive"  # what must not be linked to a person: diagnosis, religion, salary
    FREE_TEXT = "free-text"  # prose that may mention people, emails, phone numbers
    NOT_PERSONAL = "not-personal"

    @property
    def is_personal(self) -> bool:
        return self is not ColumnKind.NOT_PERSONAL


class Evidence(StrEnum):
    """Why an entity was found: what the analyst sees as 'why' in the findings panel and report."""

    VALUES = "values"
    HEADER = "header"
    BOTH = "values+header"
    ANALYST = "analyst"


class EntityScore(BaseModel):
    """One candidate entity for a column: confidence and the share of sampled values that hit."""

    entity: str
    score: float = Field(ge=0.0, le=1.0)
    share: float = Field(ge=0.0, le=1.0)
    evidence: Evidence = Evidence.VALUES


class ColumnFinding(BaseModel):
    """Everything detection learned about one column, ranked best first."""

    name: str
    dtype: str
    kind: ColumnKind
    entities: list[EntityScore] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list, description="a few sampled values, masked")
    sampled: int = 0
    non_null_share: float = 1.0
    distinct_share: float = 0.0
    reason: str = ""

    @property
    def top_entity(self) -> str | None:
        return self.entities[0].entity if self.entities else None

    @property
    def is_personal(self) -> bool:
        """Personal means an entity was found: a merely unique column (row number) is not personal."""
        return bool(self.entities)


class ScanResult(BaseModel):
    """The findings for a whole dataset, as `sanitas scan --json` prints them (plus details)."""

    file: str
    rows: int
    columns: list[ColumnFinding]
    sample_size: int
    model: str | None = Field(default=None, description="spaCy model used for names and places, if any")
    notes: list[str] = Field(default_factory=list)
    seconds: float = 0.0

    def finding(self, column: str) -> ColumnFinding | None:
        return next((f for f in self.columns if f.name == column), None)


class CellFinding(BaseModel):
    """One entity found inside one cell of a free-text column: where it is, never what it says."""

    row: int = Field(ge=0, description="0-based position of the cell in the scanned series")
    entity: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    score: float = Field(ge=0.0, le=1.0)
