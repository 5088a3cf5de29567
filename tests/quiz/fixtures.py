"""Factories for quiz tests (loaded for the whole suite by tests/conftest.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.quiz.authoring import QuizFields, RuleFields, create_quiz
from lawlearn.quiz.bank import QuestionFields, create_question
from lawlearn.quiz.models import Question

SAMPLE = [
    QuestionFields("single", "我国的根本大法是？", ["民法典", "宪法", "刑法"], "B",
                   "宪法是国家的根本法。", ["宪法"], "easy"),
    QuestionFields("multiple", "下列属于公民基本权利的有？", ["选举权", "宗教信仰自由", "纳税"],
                   ["A", "B"], "纳税是义务。", ["宪法"], "medium"),
    QuestionFields("true_false", "公民在法律面前一律平等。", [], True, "宪法第三十三条。",
                   ["宪法"], "easy"),
    QuestionFields("fill", "国家工作人员就职时应当依照法律规定公开进行（　　）宣誓。", [],
                   [["宪法"]], "宪法第二十七条。", ["宪法"], "medium"),
]


@pytest.fixture
def make_questions(app):
    """Ids of questions with these fields: the bank holds one of each, so a second call
    (several quizzes in one test) gets the same questions back."""

    def same_or_new(fields: QuestionFields) -> int:
        try:
            with db.session.begin_nested():
                return create_question(None, fields).id
        except ValidationFailed as error:
            if error.code != "duplicate_question":
                raise
        return db.session.scalar(select(Question.id).where(
            Question.type == fields.type, Question.stem == fields.stem.strip())
            .order_by(Question.id).limit(1))

    def make(fields_list=SAMPLE) -> list[int]:
        with app.app_context():
            ids = [same_or_new(f) for f in fields_list]
            db.session.commit()
            return ids

    return make


@pytest.fixture
def make_quiz(app, make_questions):
    def make(question_ids=None, **settings) -> int:
        ids = question_ids if question_ids is not None else make_questions()
        defaults = dict(title="宪法小测", opens_at=utcnow() - timedelta(hours=1),
                        closes_at=utcnow() + timedelta(days=7), question_ids=ids)
        rules = settings.pop("rules", None)
        if rules:
            defaults["selection"] = "random"
            defaults["rules"] = [RuleFields(*rule) for rule in rules]
        with app.app_context():
            quiz = create_quiz(None, QuizFields(**{**defaults, **settings}), published=True)
            db.session.commit()
            return quiz.id

    return make
