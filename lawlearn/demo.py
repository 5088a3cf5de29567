"""Demo data: an office with departments, an admin, a leader, a dept_lead and 30 staff."""

from __future__ import annotations

import os
from datetime import timedelta

from sqlalchemy import func, select

from lawlearn.accounts.departments import create_department
from lawlearn.accounts.models import Role, User
from lawlearn.accounts.services import UserFields, create_user
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.library.demo import load_library_demo
from lawlearn.outreach.demo import load_outreach_demo
from lawlearn.plans.demo import load_plans_demo
from lawlearn.practice.demo import load_practice_demo
from lawlearn.quiz.demo import load_quiz_demo
from lawlearn.sessions.demo import load_sessions_demo

DEMO_UNITS = {
    "区政府办公室": ["秘书科", "综合科", "法制科", "督查科", "信息科"],
    "区政务服务中心": ["审批一科", "审批二科"],
}
STAFF_NAMES = (
    "王伟 李娜 张敏 刘洋 陈静 杨帆 赵磊 黄丽 周杰 吴芳 徐强 孙燕 马超 朱琳 胡斌 "
    "郭婷 何鹏 林倩 罗军 高颖 梁辉 宋佳 郑浩 谢雪 韩冰 唐亮 冯霞 于涛 董梅 萧然"
).split()


DEMO_MARK = "demo.loaded"
DEMO_HISTORY_DAYS = 90  # the accounts' age: older than any person's record in the demo


def demo_password() -> str:
    return os.environ.get("LAWLEARN_DEMO_PASSWORD") or "demo-password"


def demo_loaded() -> bool:
    return (db.session.scalar(select(func.count(User.id))) or 0) > 0


def is_demo_database() -> bool:
    """Whether the accounts here are the demo's (marked when loaded; a demo loaded before
    the mark existed is known by its accounts): generated people may be added to it, never
    to an office's real data."""
    from lawlearn.settings import get_setting

    if get_setting(DEMO_MARK):
        return True
    usernames = {"admin", "leader", "lead01", "staff01", f"staff{len(STAFF_NAMES):02d}"}
    return (db.session.scalar(select(func.count(User.id)).where(User.username.in_(usernames)))
            or 0) == len(usernames)


def load_demo() -> dict[str, int]:
    """Create the demo office. The caller checks :func:`demo_loaded` first and commits."""
    from lawlearn.settings import set_setting

    set_setting(DEMO_MARK, True)
    password = demo_password()
    sections = {}
    # The office's departments are older than any history the demo records (last year's
    # Constitution Week among it): made "now", a campaign's gaps would leave them out.
    established = utcnow() - timedelta(days=3 * 365)
    for unit_name, section_names in DEMO_UNITS.items():
        unit = create_department(None, unit_name)
        unit.created_at = established
        for name in section_names:
            sections[name] = create_department(None, name, unit.id)
            sections[name].created_at = established

    # The people joined (and their accounts were made) before the history the demo records
    # (sessions and plan items go back 40 days): reports and plans leave out what ended
    # before someone joined. (Outreach events, which are no one's, go back further.)
    joined = utcnow() - timedelta(days=DEMO_HISTORY_DAYS)
    made = iter(range(1, 1000))

    def person(username, name, section, roles):
        user = create_user(None, username, password,
                           UserFields(name, sections[section].id, set(roles)),
                           must_change_password=False)
        user.created_at = user.joined_at = joined
        # They have been studying (check-ins, quizzes, points): not "从未登录" in 用户.
        user.last_login_at = utcnow() - timedelta(hours=5 * next(made))
        return user

    person("admin", "法制科管理员", "法制科", [Role.ADMIN, Role.STAFF])
    person("leader", "区政府办主任", "秘书科", [Role.LEADER, Role.STAFF])
    person("lead01", "综合科科长", "综合科", [Role.DEPT_LEAD, Role.STAFF])
    section_names = [s for names in DEMO_UNITS.values() for s in names]
    for index, name in enumerate(STAFF_NAMES, start=1):
        person(f"staff{index:02d}", name, section_names[index % len(section_names)], [Role.STAFF])
    library = load_library_demo()
    quizzes = load_quiz_demo()
    sessions = load_sessions_demo()
    practice = load_practice_demo()
    plans = load_plans_demo()
    outreach = load_outreach_demo()
    return {"departments": len(sections) + len(DEMO_UNITS), "users": 3 + len(STAFF_NAMES),
            **library, **quizzes, **sessions, **practice, **plans, **outreach}
