"""What the export would refuse in a k-anonymity section, worded for the column list.

The check is the release's own (privacy/k_anonymity/checks.py role_conflicts); this module only says
it where the analyst is, right after Apply, so the refusal does not wait for an export.
"""

from __future__ import annotations

from sanitas.core.privacy.k_anonymity.checks import role_conflicts
from sanitas.core.privacy.k_anonymity.section import KAnonymitySection
from sanitas.core.recipe_check import plan_view
from sanitas.gui.document import Document


def conflicts_text(doc: Document, section: KAnonymitySection) -> str:
    """'' when the column plan agrees with the section's roles, else one paragraph per kind of conflict."""
    if doc.dataset is None:
        return ""
    conflicts = role_conflicts(section, plan_view(doc.recipe), doc.dataset.schema)
    problems = []
    kept = [c.column for c in conflicts if c.role == "identifying"]
    if kept:
        many = len(kept) > 1
        problems.append(
            f"Identifying column{'s' if many else ''} {', '.join(kept)} would be released as "
            f"{'they are' if many else 'it is'}: choose an action that removes or replaces "
            f"{'them' if many else 'it'} (drop, pseudonymize, fake, …) in the column list.")
    changed = [f"{c.column} ({c.action})" for c in conflicts if c.role != "identifying"]
    if changed:
        problems.append(
            f"Quasi-identifiers and sensitive columns must keep their values for this section (it generalizes "
            f"them itself): set the action of {', '.join(changed)} to keep in the column list, or change "
            "their role.")
    return "\n".join(problems)
