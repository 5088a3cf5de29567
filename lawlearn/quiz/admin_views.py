"""Admin pages: the question bank and quiz settings."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user

from lawlearn.accounts.departments import department_choices
from lawlearn.accounts.forms import ConfirmForm
from lawlearn.converters import MAX_ID, record_id
from lawlearn.database import utcnow
from lawlearn.errors import (
    DomainError,
    ValidationFailed,
    accepted,
    add_service_problems,
    raise_all,
    reading_into,
    show_beside_fields,
    submitted_with_a_token,
)
from lawlearn.exports import XLSX_MIMETYPE, download
from lawlearn.extensions import db
from lawlearn.i18n import display_datetime
from lawlearn.library.references import resolve_article_references
from lawlearn.pagination import paginate
from lawlearn.quiz import admin_list, authoring, bank, bank_export, lifecycle, quiz_admin_bp
from lawlearn.quiz.forms import QuestionForm, QuizForm
from lawlearn.quiz.grading import parse_fill_answer, parse_letters, parse_true_false
from lawlearn.quiz.models import DIFFICULTIES, QUESTION_TYPES, QuestionRevision, Quiz
from lawlearn.security import leader_reads
from lawlearn.submissions import once_per_submission

TYPE_WORDS = {"单选": "single", "单选题": "single", "多选": "multiple", "多选题": "multiple",
              "判断": "true_false", "判断题": "true_false", "填空": "fill", "填空题": "fill",
              **{key: key for key in QUESTION_TYPES}}
DIFFICULTY_WORDS = {"易": "easy", "中": "medium", "难": "hard", "简单": "easy", "容易": "easy",
                    "中等": "medium", "困难": "hard", **{k: k for k in DIFFICULTIES}}


# --- question bank ------------------------------------------------------------------------


@quiz_admin_bp.route("/questions")
def questions():
    """Browse the bank: filter by type, tag, difficulty, law and status; search."""
    pagination = paginate(_filtered_questions())
    from lawlearn.library.services import list_laws

    return render_template("quiz_admin/questions.html", pagination=pagination,
                           export_args={key: value for key, value in request.args.items()
                                        if key != "page"},
                           types=QUESTION_TYPES, difficulties=DIFFICULTIES, laws=list_laws(),
                           stats=bank.bank_stats())


def _filtered_questions():
    """The bank query of the list's filters (the query string), for the list and its export."""
    return bank.question_query(
        q=request.args.get("q") or None, type=request.args.get("type") or None,
        tag=request.args.get("tag") or None, difficulty=request.args.get("difficulty") or None,
        status=request.args.get("status", "active") or None,
        law_id=request.args.get("law", type=record_id))


@quiz_admin_bp.route("/questions/export.xlsx")
def questions_export():
    """The questions the list shows (all pages) as XLSX in the import template's columns."""
    questions = bank_export.questions_for_export(_filtered_questions())
    return download(bank_export.bank_workbook(questions), _("题库导出.xlsx"), XLSX_MIMETYPE,
                    fallback="question-bank.xlsx")


def _fields_from(form: QuestionForm) -> bank.QuestionFields:
    kind = form.type.data
    raw = form.answer.data.strip()
    if kind == "single":
        letters = parse_letters(raw)
        answer = letters[0] if len(letters) == 1 else ("".join(letters) or None)
    elif kind == "multiple":
        answer = parse_letters(raw)
    elif kind == "true_false":
        answer = parse_true_false(raw)
    else:
        answer = parse_fill_answer(raw)
    article_id = None
    if form.article.data and form.article.data.strip():
        try:
            articles = resolve_article_references(form.article.data)
        except ValidationFailed as error:  # under this form's own field, not article_refs
            raise ValidationFailed(error.message, field="article") from error
        if len(articles) != 1:
            raise ValidationFailed(_("请只填写一条法条。"), field="article")
        article_id = articles[0].id
    options = bank.without_option_labels(
        [line.strip() for line in (form.options.data or "").splitlines() if line.strip()])
    tags = bank.split_tags(form.tags.data)
    return bank.QuestionFields(kind, form.stem.data, options, answer, form.explanation.data or "",
                               tags, form.difficulty.data, article_id)


@quiz_admin_bp.route("/questions/new", methods=["GET", "POST"])
@quiz_admin_bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
@once_per_submission(lambda: url_for("quiz_admin.questions"))
def question_edit(question_id: int | None = None):
    """Create or edit a question; an edit keeps the earlier text as a revision."""
    question = bank.get_question(question_id) if question_id else None
    form = QuestionForm()
    if question is not None and request.method == "GET":
        form.type.data, form.stem.data = question.type, question.stem
        form.options.data = "\n".join(question.options)
        form.answer.data = bank_export.answer_text(question)
        form.explanation.data, form.difficulty.data = question.explanation, question.difficulty
        form.tags.data = "；".join(question.tags)
        form.article.data = (f"{question.article.law.display_title} {question.article.number}"
                             if question.article else "")
    status = 200
    if form.validate_on_submit():
        try:
            fields = _fields_from(form)
            if question is None:
                question = bank.create_question(current_user, fields)
            else:
                bank.update_question(current_user, question, fields)
        except DomainError as error:
            db.session.rollback()
            show_beside_fields(form, error, "stem")
            status = 422
        else:
            db.session.commit()
            flash(_("试题已保存。"), "success")
            return redirect(url_for("quiz_admin.question_edit", question_id=question.id))
    elif request.method == "POST":
        status = 422
    revisions = db.session.scalars(db.select(QuestionRevision).where(
        QuestionRevision.question_id == question.id).order_by(QuestionRevision.revision.desc())
    ).all() if question else []
    return render_template("quiz_admin/question_form.html", form=form, question=question,
                           revisions=revisions,
                           used_in=bank.quizzes_using(question.id) if question else []), status


@quiz_admin_bp.route("/questions/<int:question_id>/preview")
def question_preview(question_id: int):
    """The question as staff see it while answering."""
    return render_template("quiz_admin/question_preview.html",
                           question=bank.get_question(question_id))


@quiz_admin_bp.route("/questions/<int:question_id>/status", methods=["POST"])
def question_status(question_id: int):
    """Retire a question (it leaves future draws; past attempts keep it) or restore it."""
    question = bank.get_question(question_id)
    try:
        bank.set_question_status(current_user, question, request.form.get("status", ""))
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("已停用。") if question.status == "retired" else _("已恢复。"), "success")
    return redirect(url_for("quiz_admin.question_edit", question_id=question.id))


# --- quizzes ----------------------------------------------------------------------------


@quiz_admin_bp.route("/quizzes")
@leader_reads
def quizzes():
    """Every quiz with its window and state, searched and filtered, a page at a time."""
    now = utcnow()
    pagination = paginate(admin_list.admin_quiz_query(
        now, q=request.args.get("q"), state=request.args.get("state"),
        kind=request.args.get("kind")))
    filtered = any(request.args.get(key) for key in ("q", "state", "kind"))
    return render_template("quiz_admin/quizzes.html", pagination=pagination, now=now,
                           states=admin_list.STATES, kinds=admin_list.KINDS,
                           state_of=admin_list.state_of, filtered=filtered)


def _parse_rules(text: str) -> list[authoring.RuleFields]:
    rules = []
    # Numbered as rules, blank lines skipped: the bank's own checks name rules so too.
    for number, line in enumerate((line for line in (text or "").splitlines() if line.split()),
                                  start=1):
        parts = line.split()
        kind = TYPE_WORDS.get(parts[0])
        # [0-9], not isdigit(): "²" is a digit to Python but no number to int().
        if kind is None or len(parts) < 2 or not re.fullmatch(r"[0-9]{1,4}", parts[1]):
            raise ValidationFailed(_("第 %(n)d 条规则看不懂：“%(line)s”", n=number, line=line.strip()),
                                   field="rules")
        tag = difficulty = None
        for extra in parts[2:]:
            if extra in DIFFICULTY_WORDS:
                if difficulty is not None:
                    raise ValidationFailed(_("第 %(n)d 条规则只能有一个难度：“%(line)s”",
                                             n=number, line=line.strip()), field="rules")
                difficulty = DIFFICULTY_WORDS[extra]
            elif tag is None:
                tag = extra
            else:  # "走查 超难": a second tag, or a difficulty mistyped
                raise ValidationFailed(_("第 %(n)d 条规则有两个标签“%(first)s”“%(second)s”：每条规则只能"
                                         "有一个标签；难度请写易、中或难。", n=number, first=tag,
                                         second=extra), field="rules")
        rules.append(authoring.RuleFields(kind, int(parts[1]), tag, difficulty))
    return rules


def _question_ids(text: str) -> list[int]:
    if re.search(r"[^0-9\s,，、]", text):
        raise ValidationFailed(_("试题编号只能是数字。"), field="question_ids")
    ids = [int(part) for part in re.split(r"[\s,，、]+", text) if part]
    too_large = [str(number) for number in ids if number > MAX_ID]
    if too_large:  # past the id column: no question has it (and the database would refuse it)
        raise ValidationFailed(_("试题编号 %(ids)s 不存在或已停用。", ids="、".join(too_large)),
                               field="question_ids")
    return ids


def _quiz_fields(form: QuizForm) -> tuple[authoring.QuizFields, list[ValidationFailed]]:
    """What the form says, for the service, and the problems met reading it (question
    numbers, draw rules, usernames), so that they are named with the service's own.
    Tolerates what the form's own checks refused (None), for the same reason."""
    problems: list[ValidationFailed] = []
    read = reading_into(problems)

    points = {kind: accepted(getattr(form, f"points_{kind}"), 0) for kind in QUESTION_TYPES}
    fields = authoring.QuizFields(
        title=accepted(form.title) or "", description=accepted(form.description) or "",
        is_exam=form.is_exam.data,
        opens_at=to_utc(accepted(form.opens_at)) if accepted(form.opens_at) else None,
        closes_at=to_utc(accepted(form.closes_at)) if accepted(form.closes_at) else None,
        time_limit_minutes=accepted(form.time_limit_minutes),
        attempts_allowed=accepted(form.attempts_allowed), grading=form.grading.data,
        pass_percent=accepted(form.pass_percent), selection=form.selection.data,
        shuffle_questions=form.shuffle_questions.data, shuffle_options=form.shuffle_options.data,
        partial_credit=form.partial_credit.data, show_answers=form.show_answers.data,
        # None where the reading failed: the service then skips the checks needing it
        # ("请选择参加测验的部门或人员" beside "没有这些用户：x" said something false).
        points=points, question_ids=read(lambda: _question_ids(accepted(form.question_ids) or ""),
                                         None),
        rules=read(lambda: _parse_rules(accepted(form.rules) or ""), None),
        audience_all=form.audience_all.data, department_ids=form.department_ids.data or [],
        user_ids=read(lambda: authoring.user_ids_for(
            re.split(r"[\s,，、;；]+", accepted(form.usernames) or "")), None))
    return fields, problems


def _fill_form(form: QuizForm, quiz: Quiz) -> None:
    fields = authoring.quiz_fields_of(quiz)
    for name in ("title", "description", "is_exam", "time_limit_minutes", "attempts_allowed",
                 "grading", "pass_percent", "selection", "shuffle_questions", "shuffle_options",
                 "partial_credit", "show_answers", "audience_all", "department_ids"):
        getattr(form, name).data = getattr(fields, name)
    form.opens_at.data = to_user_timezone(quiz.opens_at).replace(tzinfo=None) \
        if quiz.opens_at else None
    form.closes_at.data = to_user_timezone(quiz.closes_at).replace(tzinfo=None) \
        if quiz.closes_at else None
    # A question retired since it was chosen is left out of the list, and the admin told:
    # kept, it would refuse every save of the quiz until found and deleted by hand.
    retired = authoring.retired_among(fields.question_ids)
    form.question_ids.data = ", ".join(str(qid) for qid in fields.question_ids
                                       if qid not in retired)
    if retired:
        flash(_("试题 %(ids)s 已停用，已从试题编号中去掉；保存后本测验不再出这些题。",
                ids="、".join(map(str, sorted(retired)))), "info")
    form.usernames.data = " ".join(authoring.usernames_of(fields.user_ids))
    words = {value: key for key, value in TYPE_WORDS.items() if len(key) == 2}
    form.rules.data = "\n".join(" ".join(filter(None, [words[r.type], str(r.count), r.tag,
                                                       {"easy": "易", "medium": "中", "hard": "难"}
                                                       .get(r.difficulty or "")]))
                                for r in fields.rules)
    for kind in QUESTION_TYPES:
        getattr(form, f"points_{kind}").data = fields.points[kind]


@quiz_admin_bp.route("/quizzes/new", methods=["GET", "POST"])
@quiz_admin_bp.route("/quizzes/<int:quiz_id>", methods=["GET", "POST"])
@once_per_submission(lambda: url_for("quiz_admin.quizzes"))
def quiz_edit(quiz_id: int | None = None):
    """Create or edit a quiz: window, limits, grading, questions or draw rules, audience."""
    quiz = authoring.get_quiz(quiz_id) if quiz_id else None
    form = QuizForm()
    form.department_ids.choices = department_choices()
    if quiz is not None and request.method == "GET":
        _fill_form(form, quiz)
    status = 200
    if form.validate_on_submit():
        try:
            fields, problems = _quiz_fields(form)
            if problems:  # named with the rest (the service checks only what it is given)
                raise_all(problems + authoring.quiz_problems(
                    fields, published=quiz.published if quiz else False))
            shortened = 0
            if quiz is None:
                quiz = authoring.create_quiz(current_user, fields)
            else:
                shortened = authoring.update_quiz(current_user, quiz, fields)
        except DomainError as error:
            db.session.rollback()
            show_beside_fields(form, error, "title")
            status = 422
        else:
            db.session.commit()
            flash(_("测验已保存。"), "success")
            if shortened:
                flash(_("%(n)d 人正在答题：其交卷时限已提前到新的结束时间 %(when)s。", n=shortened,
                        when=display_datetime(quiz.closes_at)), "warning")
            return redirect(url_for("quiz_admin.quiz_edit", quiz_id=quiz.id))
    elif request.method == "POST":
        status = 422
        if submitted_with_a_token(form):  # every problem at once, not the form's first
            fields, problems = _quiz_fields(form)
            add_service_problems(form, problems + authoring.quiz_problems(
                fields, published=quiz.published if quiz else False), "title")
    return render_template("quiz_admin/quiz_form.html", form=form, quiz=quiz,
                           paper=authoring.paper_size(quiz) if quiz else None,
                           blockers=lifecycle.deletion_blockers(quiz) if quiz else [],
                           delete_form=ConfirmForm()), status


@quiz_admin_bp.route("/quizzes/<int:quiz_id>/publish", methods=["POST"])
def quiz_publish(quiz_id: int):
    """Publish a quiz to its audience, or withdraw it."""
    quiz = authoring.get_quiz(quiz_id)
    try:
        told = authoring.set_published(current_user, quiz, request.form.get("published") == "1")
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash((_("已发布，已通知 %(n)d 人。", n=told) if told else _("已发布。"))
              if quiz.published else _("已撤回。"), "success")
    return redirect(url_for("quiz_admin.quiz_edit", quiz_id=quiz.id))


@quiz_admin_bp.route("/quizzes/<int:quiz_id>/delete", methods=["POST"])
def quiz_delete(quiz_id: int):
    """Delete a quiz made by mistake, when nothing records or points at it (asked first)."""
    quiz = authoring.get_quiz(quiz_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    title = quiz.title
    try:
        lifecycle.delete_quiz(current_user, quiz)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("quiz_admin.quiz_edit", quiz_id=quiz_id))
    db.session.commit()
    flash(_("已删除测验《%(title)s》。", title=title), "success")
    return redirect(url_for("quiz_admin.quizzes"))


