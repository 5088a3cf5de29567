"""Staff pages: 我的积分 (totals, the ledger, how to earn) and 积分榜 (people, departments)."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.pagination import paginate

# A module, not its names: plans.progress imports practice.points (this package) itself.
from lawlearn.plans import progress as plan_progress
from lawlearn.practice import leaderboards, points, practice_bp


def _pay_plan_items(now) -> None:
    """Plan items are stamped and paid when a page shows them (plans.progress). These pages
    show my points, so they settle mine first: a plan's quiz passed a minute ago counts here
    before home or 学习计划 has been opened."""
    plan_progress.synced_progress(current_user, now)
    db.session.commit()


@practice_bp.route("/points", endpoint="points")
@login_required
def my_points():
    """我的积分: totals this week, month and year, the ledger, and how to earn points."""
    now = utcnow()
    _pay_plan_items(now)
    pagination = paginate(points.ledger_query(current_user.id))
    return render_template(
        "practice/points.html", totals=leaderboards.my_totals(current_user.id, now),
        pagination=pagination,
        sources=points.describe_sources([award.source for award in pagination.items]),
        rules=[rule for rule in points.current_rules().values()
               if rule.enabled and rule.amount > 0])


@practice_bp.route("/leaderboard", endpoint="leaderboard")
@login_required
def leaderboard():
    """积分榜: people or departments (per-capita) this week, month or year; my rank shown."""
    now = utcnow()
    _pay_plan_items(now)
    period = request.args.get("period", "week")
    period = period if period in leaderboards.PERIODS else "week"
    scope = "departments" if request.args.get("scope") == "departments" else "people"
    board = (leaderboards.department_board(period, now, current_user.id)
             if scope == "departments" else leaderboards.people_board(period, now, current_user.id))
    return render_template("practice/leaderboard.html", board=board, period=period, scope=scope,
                           periods=leaderboards.PERIODS)


@practice_bp.app_template_filter("rule_label")
def rule_label(key: str) -> str:
    """A points rule's name (学习法条…), or its key for a rule no longer known."""
    rule = points.RULES.get(key)
    return str(rule.label) if rule else key
