"""Category groups as the analyst edits them: group selected labels, ungroup them, say what is set.

The category builder (values.py) takes ``groups``: one mapping of group -> members per level, level 1
gathering values and level d gathering level d-1 groups. These rules keep that shape valid while the
analyst edits it a selection at a time (a label in one group per level, no empty group, no empty level
between two), and say in words why a selection cannot be grouped. They live here, not in the
workbench's editor, so the rules are one and can be tested without Qt; every function returns a new
list and never changes its argument.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sanitas.core.privacy.hierarchies.hierarchy import STAR, HierarchyError

Grouping = dict[str, list[str]]
Groupings = list[Grouping]


def from_option(groups: Any) -> Groupings:
    """The recipe's ``groups`` option (one mapping, a list of them, or nothing) as one grouping per level,
    names and members as text."""
    levels = [groups] if isinstance(groups, Mapping) else list(groups or [])
    return [{str(name): [str(m) for m in members] for name, members in dict(level).items()} for level in levels]


def to_option(groupings: Sequence[Mapping[str, Sequence[str]]]) -> Grouping | Groupings | None:
    """Back to the recipe's shape: one mapping for a single level (as the analyst would write it)."""
    levels = [{name: list(members) for name, members in g.items()} for g in groupings]
    if not levels:
        return None
    return levels[0] if len(levels) == 1 else levels


def add_group(groupings: Sequence[Mapping[str, Sequence[str]]], depth: int, name: str,
              labels: Sequence[str]) -> Groupings:
    """Put ``labels`` (of level depth-1) in group ``name`` at ``depth``, taking them out of the other
    groups there, so a label belongs to one group per level as the builder requires."""
    levels = _copy(groupings)
    if not 1 <= depth <= len(levels) + 1:
        raise HierarchyError(f"Group level {depth - 1} first: groups at level {depth} gather level "
                             f"{depth - 1} groups.")
    if not name.strip():
        raise HierarchyError("Name the group: a group needs a label to show at its level.")
    if depth > len(levels):
        levels.append({})
    moving = set(labels)
    grouping = {group: [m for m in members if m not in moving] for group, members in levels[depth - 1].items()}
    grouping = {group: members for group, members in grouping.items() if members}
    grouping[name] = [*grouping.get(name, []), *dict.fromkeys(labels)]
    levels[depth - 1] = grouping
    return levels


def ungroup(groupings: Sequence[Mapping[str, Sequence[str]]], level: int, labels: Sequence[str]) -> Groupings:
    """Selected cells of ``level``: values (level 0) leave their level 1 group; group labels (level d)
    dissolve that level d group, whose members go back to the rest, and leave the groups above."""
    levels, gone = _copy(groupings), set(labels)
    if level == 0:
        if levels:
            levels[0] = {g: [m for m in ms if m not in gone] for g, ms in levels[0].items()}
    else:
        if level <= len(levels):
            levels[level - 1] = {g: ms for g, ms in levels[level - 1].items() if g not in gone}
        if level < len(levels):
            levels[level] = {g: [m for m in ms if m not in gone] for g, ms in levels[level].items()}
    levels = [{g: ms for g, ms in grouping.items() if ms} for grouping in levels]
    # an empty level ends the groups: the levels above it would have nothing left to gather
    empty = next((i for i, grouping in enumerate(levels) if not grouping), len(levels))
    return levels[:empty]


def group_problem(level: int | None, height: int, *, by_category: bool) -> str | None:
    """Why cells selected at ``level`` of a hierarchy ``height`` levels tall cannot be grouped (None: they can).

    Values (level 0) always can; group labels (level >= 1) only in a table the category builder made,
    since their groups are that builder's; the top ('*') gathers everything already."""
    if level is None:
        return ("Select cells in one column: values to group them at level 1, or level 1 groups to group them "
                "at level 2.")
    if level >= 1 and not by_category:
        return "Groups of groups need the table built by the category builder: Rebuild first."
    if level >= height - 1:
        return f"Level {level} is the top ('{STAR}'); it cannot be grouped further."
    return None


def ungroup_problem(level: int | None, height: int, *, by_category: bool) -> str | None:
    """Why cells selected at ``level`` cannot be ungrouped (None: they can)."""
    if level is None or level >= height - 1:
        return "Select values to take them out of their group, or group labels to dissolve those groups."
    if not by_category:
        return "Groups belong to the category builder: Rebuild first."
    return None


def describe(groupings: Sequence[Mapping[str, Sequence[str]]]) -> str:
    """The groups in words, one line per level."""
    if not groupings:
        return "No groups: values are only suppressed ('*'). Select values in the table, then \"Group selected…\"."
    return "\n".join(
        f"Level {depth}: " + "; ".join(f"{name} ({', '.join(members)})" for name, members in grouping.items())
        for depth, grouping in enumerate(groupings, start=1)
    )


def _copy(groupings: Sequence[Mapping[str, Sequence[str]]]) -> Groupings:
    return [{str(g): list(ms) for g, ms in grouping.items()} for grouping in groupings]
