"""Setting up quizzes: settings, fixed questions or draw rules, audience, publishing."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import String, cast, func, or_, select, update

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import Department, User
from lawlearn.database import all_exist, utcnow
from lawlearn.errors import Conflict, NotFound, ValidationFailed, raise_all
from lawlearn.extensions import db
from lawlearn.quiz import draw
from lawlearn.quiz.lifecycle import withdraw_quiz
from lawlearn.quiz.models import (
    ANSWER_VISIBILITY,
    DIFFICULTIES,
    GRADING_METHODS,
    QUESTION_TYPES,
    Attempt,
    Question,
    Quiz,
    QuizAudience,
    QuizQuestion,
    QuizRule,
)
from lawlearn.quiz.services import DEFAULT_POINTS
from lawlearn.validators import audience_both_message


@dataclass
class RuleFields:
    type: str
    count: int
    tag: str | None = None
    difficulty: str | None = None


@dataclass
class QuizFields:
    title: str
    description: str = ""
    is_exam: bool = False
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    time_limit_minutes: int | None = None
    attempts_allowed: int | None = 1
    grading: str = "highest"
    pass_percent: int = 60
    selection: str = "fixed"
    shuffle_questions: bool = False
    shuffle_options: bool = False
    partial_credit: bool = False
    show_answers: str = "after_submit"
    points: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_POINTS))
    question_ids: list[int] = field(default_factory=list)
    rules: list[RuleFields] = field(default_factory=list)
    audience_all: bool = True
    department_ids: list[int] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)


def rule_conditions(rule: RuleFields) -> list:
    """SQL conditions of the active questions a draw rule may pick."""
    conditions = [Question.status == "active", Question.type == rule.type]
    if rule.difficulty:
        conditions.append(Question.difficulty == rule.difficulty)
    if rule.tag:
        conditions.append(cast(Question.tags, String).contains(json.dumps(rule.tag,
                                                                          ensure_ascii=False)))
    return conditions


def rule_shortfalls(rules: list) -> list[str]:
    """What the bank now lacks for ``rules`` (RuleFields or QuizRule rows), in words; none
    when every rule can be drawn."""
    short: list[str] = []
    wanted: dict[str, int] = {}
    rules_of: dict[str, int] = {}
    short_types: set[str] = set()
    for rule in rules:
        available = db.session.scalar(select(func.count()).select_from(Question).where(
            *rule_conditions(rule)))
        if available < rule.count:
            words = " ".join(filter(None, [rule.tag, str(DIFFICULTIES[rule.difficulty])
                                           if rule.difficulty else None]))
            short.append(
                _("符合“%(rule)s”的%(type)s只有 %(have)d 道，不足 %(need)d 道。", rule=words,
                  type=QUESTION_TYPES[rule.type], have=available, need=rule.count)
                if words else _("题库中的%(type)s只有 %(have)d 道，不足 %(need)d 道。",
                                type=QUESTION_TYPES[rule.type], have=available,
                                need=rule.count))
            short_types.add(rule.type)
        wanted[rule.type] = wanted.get(rule.type, 0) + rule.count
        rules_of[rule.type] = rules_of.get(rule.type, 0) + 1
    # Rules of one type draw from one pool: together they must fit in it (said only where
    # no rule of the type is short on its own, which says it already).
    for kind, count in wanted.items():
        if rules_of[kind] == 1 or kind in short_types:
            continue
        available = db.session.scalar(select(func.count()).select_from(Question).where(
            Question.type == kind, Question.status == "active"))
        if available < count:
            short.append(_("各条规则共需%(type)s %(need)d 道，题库中只有 %(have)d 道。",
                           type=QUESTION_TYPES[kind], need=count, have=available))
    if short or len(rules) < 2:
        return short
    # Each rule and each type fits, yet rules wanting the same questions may not fit together
    # (a tagged rule and an untagged one of its type): the draw's own test, once.
    fixed_order = random.Random(0)  # nosec B311 - any order will do: only whether a paper exists
    found = draw.match(draw.rule_pools(rules), [rule.count for rule in rules], fixed_order)
    if isinstance(found, draw.Shortfall):
        short.append(_("第 %(rules)s 条规则要的试题相互重叠：合计需要 %(need)d 道，符合其中任一条的"
                       "只有 %(have)d 道。", rules="、".join(str(i + 1) for i in found.rules),
                       need=found.need, have=found.have))
    return short


def live_quizzes_stranded(question: Question, change, now: datetime) -> list[str]:
    """Apply ``change`` (a callable) to ``question`` and flush; then the published quizzes
    not yet closed that it leaves unable to start, in words: a random one whose rules can
    no longer be drawn, a fixed one with no other question in use. A quiz already short
    before is not this change's doing."""
    live = select(Quiz).where(Quiz.published.is_(True),
                              or_(Quiz.closes_at.is_(None), Quiz.closes_at > now))
    # Only the pools the question is in now can lose it (a pool it joins only grows).
    drawing = list(db.session.scalars(live.where(Quiz.selection == "random", Quiz.id.in_(
        select(QuizRule.quiz_id).where(QuizRule.type == question.type)))))
    fine_before = [quiz for quiz in drawing if not rule_shortfalls(quiz.rules)]
    fixed = list(db.session.scalars(live.where(Quiz.selection == "fixed", Quiz.id.in_(
        select(QuizQuestion.quiz_id).where(QuizQuestion.question_id == question.id)))))
    change()
    db.session.flush()
    stranded = [_("《%(title)s》：%(why)s", title=quiz.title, why=short[0])
                for quiz in fine_before if (short := rule_shortfalls(quiz.rules))]
    stranded += [_("《%(title)s》：将没有可用的试题。", title=quiz.title) for quiz in fixed
                 if not any(entry.question.status == "active"
                            for entry in quiz.fixed_questions)]
    return stranded


def retire_question(question: Question, now: datetime) -> None:
    """Take ``question`` out of the bank, unless that leaves a published quiz not yet closed
    unable to start; then nothing changes and Conflict names each quiz (an exam whose last
    fill-in question went would refuse every taker on the day)."""
    stranded = live_quizzes_stranded(question, lambda: setattr(question, "status", "retired"),
                                     now)
    if stranded:
        question.status = "active"
        db.session.flush()
        raise Conflict(_("不能停用此题：已发布的测验将无法开始答题。%(quizzes)s 请先修改这些测验的"
                         "组卷设置或补充试题，再停用。", quizzes=" ".join(stranded)),
                       code="quiz_left_short")


def _check(fields: QuizFields, *, published: bool = False,
           more: list[ValidationFailed] | None = None) -> None:
    """Every rule of the settings, every problem at once (the form shows each beside its
    field); ``published``: the quiz is live, so it must keep questions; ``more``: problems
    found by the caller, named with the rest."""
    raise_all(quiz_problems(fields, published=published, more=more))


def quiz_problems(fields: QuizFields, *, published: bool = False,
                  more: list[ValidationFailed] | None = None) -> list[ValidationFailed]:
    """What ``_check`` raises, as a list. A form whose own checks failed passes None for
    what it could not read (the pass mark, the question numbers, the draw rules, the
    usernames): the checks needing it are skipped."""
    problems = [ValidationFailed(message, field=name) for failed, name, message in (
        (not fields.title.strip(), "title", _("请填写测验名称。")),
        (bool(fields.opens_at and fields.closes_at and fields.closes_at <= fields.opens_at),
         "closes_at", _("结束时间须晚于开始时间。")),
        (fields.grading not in GRADING_METHODS, "grading", _("未知的计分方式。")),
        (fields.show_answers not in ANSWER_VISIBILITY, "show_answers", _("未知的答案显示方式。")),
        (fields.pass_percent is not None and not 0 <= fields.pass_percent <= 100,
         "pass_percent", _("及格线须在 0 到 100 之间。")),
        (fields.time_limit_minutes is not None and fields.time_limit_minutes <= 0,
         "time_limit_minutes", _("限时须为正数（分钟）。")),
        (fields.attempts_allowed is not None and fields.attempts_allowed <= 0,
         "attempts_allowed", _("答题次数须为正数。"))) if failed]
    unread = fields.question_ids is None if fields.selection == "fixed" else fields.rules is None
    problems += ([] if unread else _paper_problems(fields, published)) + (more or [])
    problems += [ValidationFailed(message, field=name) for failed, name, message in (
        (not fields.audience_all and fields.user_ids is not None
         and not (fields.department_ids or fields.user_ids),
         "department_ids", _("请选择参加测验的部门或人员。")),
        (fields.audience_all and bool(fields.department_ids or fields.user_ids),
         "department_ids", audience_both_message()),
        (not fields.audience_all and bool(fields.department_ids)
         and not all_exist(Department, fields.department_ids),
         "department_ids", _("所选部门不存在或已被删除，请重新选择。"))) if failed]
    return problems


def _paper_problems(fields: QuizFields, published: bool) -> list[ValidationFailed]:
    """What is wrong with the quiz's questions or draw rules."""
    if fields.selection == "fixed":
        if fields.question_ids:
            found = set(db.session.scalars(select(Question.id).where(
                Question.id.in_(fields.question_ids), Question.status == "active")))
            missing = [qid for qid in fields.question_ids if qid not in found]
            seen: set[int] = set()
            twice = list(dict.fromkeys(qid for qid in fields.question_ids
                                       if qid in seen or seen.add(qid)))
            # A number typed twice was dropped in silence: the paper had one question fewer
            # than the admin counted.
            return [ValidationFailed(message, field="question_ids") for message, failed in (
                (_("试题编号 %(ids)s 不存在或已停用。", ids="、".join(map(str, missing))),
                 missing),
                (_("试题编号 %(ids)s 重复填写，每道题只能出现一次。",
                   ids="、".join(map(str, twice))), twice)) if failed]
        return [ValidationFailed(_("已发布的测验至少要有一道试题；如需停用，请先撤回。"),
                                 field="question_ids")] if published else []
    if fields.selection == "random":
        if published and not fields.rules:
            return [ValidationFailed(_("已发布的测验至少要有一条抽题规则；如需停用，请先撤回。"),
                                     field="rules")]
        if any(rule.type not in QUESTION_TYPES or rule.count <= 0 for rule in fields.rules):
            return [ValidationFailed(_("抽题规则有误：题型或数量不正确。"), field="rules")]
        # Every rule the bank cannot fill, not only the first.
        return [ValidationFailed(message, field="rules")
                for message in rule_shortfalls(fields.rules)]
    return [ValidationFailed(_("未知的组卷方式。"), field="selection")]


def _apply(quiz: Quiz, fields: QuizFields) -> None:
    for name in ("title", "description", "is_exam", "opens_at", "closes_at",
                 "time_limit_minutes", "attempts_allowed", "grading", "pass_percent",
                 "selection", "shuffle_questions", "shuffle_options", "partial_credit",
                 "show_answers", "points", "audience_all"):
        setattr(quiz, name, getattr(fields, name))
    quiz.title = quiz.title.strip()
    wanted = list(dict.fromkeys(fields.question_ids)) if fields.selection == "fixed" else []
    if [entry.question_id for entry in quiz.fixed_questions] != wanted:
        # Remove the old rows first: the unique (quiz, question) key forbids overlap.
        quiz.fixed_questions = []
        db.session.flush()
        quiz.fixed_questions = [QuizQuestion(question_id=qid, position=i)
                                for i, qid in enumerate(wanted)]
    quiz.rules = [QuizRule(type=r.type, count=r.count, tag=r.tag or None,
                           difficulty=r.difficulty or None) for r in fields.rules] \
        if fields.selection == "random" else []
    quiz.audience = [] if fields.audience_all else (
        [QuizAudience(department_id=d) for d in fields.department_ids]
        + [QuizAudience(user_id=u) for u in fields.user_ids])


def create_quiz(actor: User | None, fields: QuizFields, *, published: bool = False) -> Quiz:
    _check(fields, published=published)
    quiz = Quiz(created_by_id=actor.id if actor else None, published=published, points={})
    _apply(quiz, fields)
    db.session.add(quiz)
    db.session.flush()
    record_audit(actor, "quiz.create", quiz, _("创建测验《%(title)s》", title=quiz.title))
    return quiz


def update_quiz(actor: User, quiz: Quiz, fields: QuizFields) -> int:
    """Save the changes; the number of attempts under way whose time the change shortened."""
    from lawlearn.plans.reach import check_narrowing  # here: plans imports this package

    _check(fields, published=quiz.published, more=_grading_changes(quiz, fields))
    db.session.flush()
    # A published plan asking for this quiz keeps its whole audience able to open it.
    check_narrowing("quiz", [quiz.id], lambda: _apply(quiz, fields))
    record_audit(actor, "quiz.update", quiz, _("修改测验《%(title)s》", title=quiz.title))
    return _end_attempts_by(quiz)


def _end_attempts_by(quiz: Quiz) -> int:
    """A close time moved earlier ends the attempts under way by then too: they kept the
    deadline they started with, and went on answering (and handed in "on time") after the
    quiz had closed and shown its answers to everyone else."""
    if quiz.closes_at is None:
        return 0
    return db.session.execute(
        update(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_(None),
                              or_(Attempt.deadline.is_(None), Attempt.deadline > quiz.closes_at))
        .values(deadline=quiz.closes_at).execution_options(synchronize_session=False)).rowcount


def _grading_changes(quiz: Quiz, fields: QuizFields) -> list[ValidationFailed]:
    """Once anyone has handed in, the pass mark, the points and partial credit stay: papers
    graded already keep their 及格 and scores (stored), while the results page, the quiz
    list and the reports would judge them by the new settings, each its own way."""
    old_points = {**DEFAULT_POINTS, **(quiz.points or {})}
    changed = [(name, message) for failed, name, message in (
        (fields.pass_percent != quiz.pass_percent, "pass_percent", _("及格线")),
        (fields.partial_credit != quiz.partial_credit, "partial_credit", _("部分得分设置")),
        *((float(fields.points.get(kind, 0)) != float(old_points.get(kind, 0)),
           f"points_{kind}", _("%(type)s分值", type=QUESTION_TYPES[kind]))
          for kind in QUESTION_TYPES)) if failed]
    if not changed:
        return []
    handed_in = db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None)))
    if not handed_in:
        return []
    return [ValidationFailed(_("已有 %(n)d 份答卷交卷，%(what)s不能再改：已交的答卷按原设置评分。如需按新设置"
                               "考试，请新建一个测验。", n=handed_in, what=message), field=name)
            for name, message in changed]


def set_published(actor: User, quiz: Quiz, published: bool,
                  now: datetime | None = None) -> int:
    """Publish (telling its people: how many) or withdraw the quiz."""
    from lawlearn.quiz.announce import announce_quiz

    if not published:
        withdraw_quiz(actor, quiz, now or utcnow())  # refused while people still need it
        return 0
    if not (quiz.fixed_questions or quiz.rules):
        raise ValidationFailed(_("测验还没有试题，不能发布。"), field="published")
    quiz.published = True
    record_audit(actor, "quiz.publish", quiz, _("发布测验《%(title)s》", title=quiz.title))
    db.session.flush()
    return announce_quiz(quiz, now or utcnow())


def get_quiz(quiz_id: int) -> Quiz:
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None:
        raise NotFound(_("测验不存在。"))
    return quiz


def quiz_fields_of(quiz: Quiz) -> QuizFields:
    """The quiz's current settings, for editing forms."""
    return QuizFields(
        title=quiz.title, description=quiz.description, is_exam=quiz.is_exam,
        opens_at=quiz.opens_at, closes_at=quiz.closes_at,
        time_limit_minutes=quiz.time_limit_minutes, attempts_allowed=quiz.attempts_allowed,
        grading=quiz.grading, pass_percent=quiz.pass_percent, selection=quiz.selection,
        shuffle_questions=quiz.shuffle_questions, shuffle_options=quiz.shuffle_options,
        partial_credit=quiz.partial_credit, show_answers=quiz.show_answers,
        points={**DEFAULT_POINTS, **(quiz.points or {})},
        question_ids=[entry.question_id for entry in quiz.fixed_questions],
        rules=[RuleFields(r.type, r.count, r.tag, r.difficulty) for r in quiz.rules],
        audience_all=quiz.audience_all,
        department_ids=[a.department_id for a in quiz.audience if a.department_id],
        user_ids=[a.user_id for a in quiz.audience if a.user_id])


def retired_among(question_ids: list[int]) -> set[int]:
    """Which of ``question_ids`` are no longer active (retired since they were chosen)."""
    if not question_ids:
        return set()
    return set(db.session.scalars(select(Question.id).where(
        Question.id.in_(question_ids), Question.status != "active")))


def paper_size(quiz: Quiz) -> tuple[int, float]:
    """(questions, full marks) of one paper as the quiz is saved: its fixed list, or what
    its draw rules take, at the quiz's points per type."""
    points = {**DEFAULT_POINTS, **(quiz.points or {})}
    if quiz.selection == "random":
        return (sum(rule.count for rule in quiz.rules),
                sum(rule.count * float(points[rule.type]) for rule in quiz.rules))
    by_type = db.session.execute(
        select(Question.type, func.count()).join(QuizQuestion, QuizQuestion.question_id == Question.id)
        .where(QuizQuestion.quiz_id == quiz.id).group_by(Question.type)).all()
    return (sum(count for _type, count in by_type),
            sum(count * float(points[kind]) for kind, count in by_type))


def user_ids_for(usernames: list[str]) -> list[int]:
    """Ids of the named people; names every username that does not exist."""
    wanted = [name.strip().lower() for name in usernames if name.strip()]
    if not wanted:
        return []
    found = dict(db.session.execute(select(User.username, User.id).where(
        User.username.in_(wanted))).all())
    missing = [name for name in wanted if name not in found]
    if missing:
        raise ValidationFailed(_("没有这些用户：%(names)s", names="、".join(missing)),
                               field="usernames")
    return list(dict.fromkeys(found[name] for name in wanted))


def usernames_of(user_ids: list[int]) -> list[str]:
    if not user_ids:
        return []
    names = dict(db.session.execute(select(User.id, User.username).where(
        User.id.in_(user_ids))).all())
    return [names[i] for i in user_ids if i in names]
