"""The admin audit log: every admin change is written here by the service that makes it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, String, and_, cast, exists, func, literal, or_, select
from sqlalchemy.orm import joinedload

from lawlearn.accounts.models import AuditEntry, User
from lawlearn.extensions import db
from lawlearn.localtime import day_start

ACTION_LABELS = {
    "user.create": _l("创建用户"), "user.update": _l("修改用户"), "user.import": _l("批量导入用户"),
    "user.reset_password": _l("重置密码"), "user.activate": _l("启用账号"),
    "user.deactivate": _l("停用账号"), "department.create": _l("创建部门"),
    "department.rename": _l("部门更名"), "department.move": _l("调整部门上级"),
    "department.merge": _l("合并部门"), "department.delete": _l("删除部门"),
    "law.import": _l("导入法规"), "law.update": _l("修改法规信息"), "law.delete": _l("删除法规"),
    "law.article_correct": _l("更正条文文字"),
    "material.delete": _l("删除学习资料"), "quiz.delete": _l("删除测验"),
    "material.create": _l("创建学习资料"), "material.update": _l("修改学习资料"),
    "material.publish": _l("发布学习资料"), "material.unpublish": _l("撤回学习资料"),
    "material.attach": _l("上传附件"), "material.detach": _l("删除附件"),
    "collection.create": _l("创建学习专题"), "collection.update": _l("修改学习专题"),
    "collection.add": _l("专题加入资料"), "collection.remove": _l("专题移出资料"),
    "question.create": _l("新建试题"), "question.update": _l("修改试题"),
    "question.retire": _l("停用试题"), "question.restore": _l("恢复试题"),
    "question.import": _l("导入试题"), "quiz.create": _l("创建测验"), "quiz.update": _l("修改测验"),
    "quiz.publish": _l("发布测验"), "quiz.unpublish": _l("撤回测验"),
    "session.create": _l("安排学法活动"), "session.update": _l("修改学法活动"),
    "session.cancel": _l("取消学法活动"), "session.close_checkin": _l("结束签到"),
    "session.delete": _l("删除学法活动"),
    "attendance.mark": _l("标记出勤"),
    "leave.approve": _l("批准请假"), "leave.reject": _l("不批准请假"),
    "plan.create": _l("创建学习计划"), "plan.update": _l("修改学习计划"),
    "plan.audience": _l("设置计划对象"), "plan.stage": _l("调整计划阶段"),
    "plan.item.create": _l("添加计划事项"), "plan.item.update": _l("修改计划事项"),
    "plan.item.delete": _l("删除计划事项"), "plan.publish": _l("发布学习计划"),
    "plan.close": _l("结束学习计划"), "plan.delete": _l("删除学习计划"),
    "plan.copy": _l("复制学习计划"), "plan.remind": _l("提醒未完成者"),
    "reflection.accept": _l("通过学习心得"), "reflection.return": _l("退回学习心得"),
    "points.rule": _l("修改积分规则"), "practice.setting": _l("修改练习设置"),
    # outreach events (普法活动)
    "outreach.event.create": _l("登记普法活动"), "outreach.event.update": _l("修改普法活动"),
    "outreach.event.revise": _l("修订已审核的普法活动"), "outreach.event.submit": _l("提交普法活动"),
    "outreach.event.verify": _l("审核普法活动"), "outreach.event.return": _l("退回普法活动"),
    "outreach.event.delete": _l("删除普法活动"), "outreach.photo.add": _l("上传活动照片"),
    "outreach.photo.remove": _l("删除活动照片"), "outreach.photo.feature": _l("挑选总结照片"),
    "outreach.category.create": _l("添加活动类别"), "outreach.category.rename": _l("活动类别更名"),
    "outreach.category.activate": _l("启用活动类别"),
    "outreach.category.deactivate": _l("停用活动类别"),
    "outreach.stall.open": _l("开启有奖问答"), "outreach.stall.redraw": _l("有奖问答重新抽题"),
    "outreach.stall.close": _l("关闭有奖问答"), "outreach.stall.reopen": _l("重新开启有奖问答"),
    "outreach.stall.export_phones": _l("导出抽奖手机号"),
    "outreach.stall.erase_phones": _l("清除抽奖手机号"),
    # A campaign is a 主题宣传 everywhere else; an event (普法活动) is not one.
    "outreach.campaign.create": _l("创建主题宣传"), "outreach.campaign.update": _l("修改主题宣传"),
    "outreach.campaign.copy": _l("复制主题宣传"), "outreach.campaign.delete": _l("删除主题宣传"),
    # reports (统计报表)
    "reports.target": _l("修改年度目标"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def record_audit(
    actor: User | None,
    action: str,
    target: Any,
    summary: str,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry; ``target`` is any model instance (or None)."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target.__tablename__ if target is not None else "",
        target_id=getattr(target, "id", None),
        summary=summary,
        details=details,
    )
    db.session.add(entry)
    return entry


def audit_query(*, action: str | None = None, actor_id: int | None = None,
                q: str | None = None, first_day: date | None = None,
                last_day: date | None = None) -> Select[tuple[AuditEntry]]:
    """Entries, the latest first; ``q`` is looked for in the summary, the details and the
    names of the person acting and the person acted on; the days are local and included."""
    query = select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(
        AuditEntry.at.desc(), AuditEntry.id.desc()
    )
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if first_day:
        query = query.where(AuditEntry.at >= day_start(first_day))
    if last_day:
        query = query.where(AuditEntry.at < day_start(last_day + timedelta(days=1)))
    if q:
        # Summaries name a person by username alone ("停用用户 sunwei"): their name finds
        # them through the entry's target and actor.
        people = select(User.id).where(or_(User.name.contains(q, autoescape=True),
                                           User.username.contains(q, autoescape=True)))
        # The details too: a bulk import names its usernames there, not in the summary;
        # a name finds the import that created that person (their username, quoted, in
        # the list).
        details = cast(AuditEntry.details, String)
        named_in_details = exists().where(
            User.name.contains(q, autoescape=True),
            # "_" (which usernames may hold) is a LIKE wildcard: escaped.
            details.contains(literal('"') + func.replace(User.username, "_", "\\_")
                             + literal('"'), escape="\\"))
        query = query.where(or_(AuditEntry.summary.contains(q, autoescape=True),
                                details.contains(q, autoescape=True),
                                and_(AuditEntry.target_type == User.__tablename__,
                                     AuditEntry.target_id.in_(people)),
                                AuditEntry.actor_id.in_(people),
                                and_(AuditEntry.action == "user.import", named_in_details)))
    return query


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
