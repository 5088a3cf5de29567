"""Where stages and items stand in a plan: the order the plan's pages show them in."""

from __future__ import annotations

from lawlearn.extensions import db
from lawlearn.plans.models import Plan


def renumber(plan: Plan) -> None:
    """Positions follow the page: stages in order, each with its items, ungrouped last.

    Writes what is pending first and reloads the plan's stages and items, so that callers
    may change positions, add or delete rows, then call this.
    """
    db.session.flush()
    db.session.expire(plan, ["stages", "items"])
    for index, stage in enumerate(plan.stages):
        stage.position = index
    order = {stage.id: index for index, stage in enumerate(plan.stages)}
    ranked = sorted(plan.items, key=lambda i: (
        i.stage_id is None, order.get(i.stage_id, 0) if i.stage_id else 0, i.position, i.id or 0))
    for index, item in enumerate(ranked):
        item.position = index
    db.session.flush()
    db.session.expire(plan, ["stages", "items"])


def swap_with_neighbour(rows: list, row, offset: int) -> bool:
    """Swap ``row`` with the one above (``offset`` < 0) or below it in ``rows`` by giving
    ``rows`` the positions 0, 1, …; False when it is already at that end."""
    index = rows.index(row)
    target = index + (1 if offset > 0 else -1)
    if not 0 <= target < len(rows):
        return False
    rows[index], rows[target] = rows[target], rows[index]
    for position, each in enumerate(rows):
        each.position = position
    return True
