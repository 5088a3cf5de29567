"""Deleting a statute version imported by mistake: only the newest version, only when
nothing depends on it; the version before becomes current again; asked first, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import AuditEntry
from lawlearn.errors import Conflict
from lawlearn.extensions import db
from lawlearn.library import services
from lawlearn.library.deletion import delete_law, deletion_blockers
from lawlearn.library.models import Law, LawArticle, LawDivision
from tests.conftest import csrf_from
from tests.library.test_library import SMALL_LAW, import_text
from tests.library.test_library import request_ctx as request_ctx  # noqa: F401  (a fixture)

NEWER = SMALL_LAW.replace("本法自公布之日起施行。".encode(), "本法自2027年1月1日起施行。".encode())


def test_the_newest_unused_version_goes_and_the_one_before_is_current_again(request_ctx):
    first = import_text()
    second = import_text(NEWER)
    assert deletion_blockers(first) == ["已有更新的第 2 版：只能删除一部法规的最新版本。"]
    assert deletion_blockers(second) == []
    assert delete_law(None, second).id == first.id
    db.session.commit()
    assert db.session.scalar(select(Law).where(Law.is_current.is_(True))).id == first.id
    assert db.session.scalar(select(func.count(LawArticle.id))) == first.article_count
    assert db.session.scalar(select(func.count(LawDivision.id))) == 2  # the first's chapters
    entry = db.session.scalar(select(AuditEntry).filter_by(action="law.delete"))
    assert entry.summary == "删除法规《中华人民共和国小法》第 2 版（3 条）"
    assert delete_law(None, first) is None  # the last version: the law is gone
    db.session.commit()
    assert db.session.scalar(select(func.count(Law.id))) == 0


def test_a_version_in_use_is_kept_with_every_reason(request_ctx, make_user):
    from lawlearn.accounts.models import User
    from lawlearn.quiz.bank import QuestionFields, create_question

    reader_id = make_user("reader").id  # committed by its own session, before ours writes
    law = import_text()
    article = db.session.scalar(select(LawArticle).filter_by(law_id=law.id, number=1))
    create_question(None, QuestionFields("single", "题干", ["甲", "乙"], "A",
                                         article_id=article.id))
    reader = db.session.get(User, reader_id)
    services.set_studied(reader, article, True, article.law.created_at)
    services.save_note(reader, article, "笔记")
    db.session.commit()
    assert deletion_blockers(law) == ["1 道试题引用其条文", "已有 1 条学习记录", "已有 1 条笔记"]
    with pytest.raises(Conflict, match="不能删除：1 道试题引用其条文；已有 1 条学习记录；已有 1 条笔记"):
        delete_law(None, law)
    assert db.session.get(Law, law.id) is not None


def test_a_session_citing_every_article_counts_once(request_ctx):
    """A session links each article it cites (宪法 1-32 is 32 links): one session."""
    from datetime import datetime

    from lawlearn.sessions.models import SessionKind, SessionLink, StudySession

    law = import_text()
    kind = SessionKind(name="集中学法")
    study = StudySession(title="宪法学习", kind=kind, starts_at=datetime(2026, 3, 2, 1),
                         ends_at=datetime(2026, 3, 2, 2))
    db.session.add(study)
    db.session.flush()
    for article_id in db.session.scalars(select(LawArticle.id).filter_by(law_id=law.id)):
        db.session.add(SessionLink(session_id=study.id, article_id=article_id))
    db.session.flush()
    assert law.article_count > 1
    assert deletion_blockers(law) == ["1 场学法活动引用其条文"]


def test_the_page_asks_first_and_names_what_holds_a_version(app, admin_client):
    with app.app_context():
        first_id = import_text().id
        second_id = import_text(NEWER).id
    page = admin_client.get(f"/admin/library/laws/{first_id}").get_data(as_text=True)
    assert "这一版本已在使用，不能删除" in page and "已有更新的第 2 版" in page
    page = admin_client.get(f"/admin/library/laws/{second_id}")
    html = page.get_data(as_text=True)
    assert 'data-confirm="删除《中华人民共和国小法》第 2 版及其全部 3 条条文？此操作无法撤销。"' in html
    assert "删除后，第 1 版恢复为现行版本。" in html
    assert admin_client.post(f"/admin/library/laws/{second_id}/delete").status_code == 400
    done = admin_client.post(f"/admin/library/laws/{second_id}/delete",
                             data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "已删除《中华人民共和国小法》第 2 版。第 1 版恢复为现行版本。" in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Law, second_id) is None and db.session.get(Law, first_id).is_current


def test_staff_cannot_delete_a_law(app, client, login, make_user):
    with app.app_context():
        law_id = import_text().id
    login(make_user("staffer"))
    token = csrf_from(client.get("/"))
    assert client.post(f"/admin/library/laws/{law_id}/delete",
                       data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert db.session.get(Law, law_id) is not None


def test_a_mistaken_version_gives_back_what_its_import_carried_over(request_ctx, make_user):
    """The import moved bookmarks, notes and a material's citation onto the new version,
    which could then never be deleted ("学习资料引用其条文 1 处" the moment it was in)."""
    from lawlearn.accounts.models import User
    from lawlearn.library.materials import MaterialFields, create_material
    from lawlearn.library.models import ArticleBookmark, ArticleNote, ArticleStudy

    reader_id, other_id = make_user("reader").id, make_user("other").id
    first = import_text()
    reader, other = db.session.get(User, reader_id), db.session.get(User, other_id)
    old_one, old_two = (db.session.scalar(select(LawArticle).filter_by(law_id=first.id,
                                                                        number=n)) for n in (1, 2))
    services.set_bookmark(reader, old_one, True)
    services.save_note(reader, old_two, "旧笔记")
    material = create_material(None, MaterialFields("资料", "article", "正文",
                                                    article_refs="小法 1", published=True))
    db.session.commit()
    # The wrong text: article 1 unchanged, a fourth article the first version lacks.
    wrong = import_text(SMALL_LAW + "第四条 多出来的一条。\n".encode())
    new_one, new_four = (db.session.scalar(select(LawArticle).filter_by(law_id=wrong.id,
                                                                         number=n)) for n in (1, 4))
    services.set_studied(other, new_one, True, wrong.created_at)  # studied since
    new_one_id, wrong_id = new_one.id, wrong.id
    services.set_bookmark(other, new_four, True)  # on an article with nowhere to go
    db.session.commit()
    assert deletion_blockers(wrong) == ["已有 1 个收藏"]
    services.set_bookmark(other, new_four, False)
    db.session.commit()
    assert deletion_blockers(wrong) == []
    assert delete_law(None, wrong).id == first.id
    db.session.commit()

    def marks(model):
        return sorted((row.user_id, row.article_id) for row in db.session.scalars(select(model)))

    assert marks(ArticleBookmark) == [(reader_id, old_one.id)]
    assert [(n.user_id, n.article_id, n.body) for n in db.session.scalars(select(ArticleNote))] \
        == [(reader_id, old_two.id, "旧笔记")]
    assert marks(ArticleStudy) == [(other_id, old_one.id)]
    # The points for reading it stay, under a source no new article's id can take.
    from lawlearn.practice.models import PointAward

    sources = db.session.scalars(select(PointAward.source).filter_by(user_id=other_id)).all()
    assert sources == [f"article:{new_one_id}@law{wrong_id}"]
    db.session.refresh(material)
    assert [(a.law_id, a.number) for a in material.articles] == [(first.id, 1)]


def test_two_notes_of_one_person_on_one_article_hold_the_deletion(request_ctx, make_user):
    from lawlearn.accounts.models import User

    reader_id = make_user("reader").id
    first = import_text()
    second = import_text(NEWER)
    reader = db.session.get(User, reader_id)
    for law, body in ((second, "新版本上的笔记"), (first, "旧版本页上又写的")):
        services.save_note(reader, db.session.scalar(
            select(LawArticle).filter_by(law_id=law.id, number=1)), body)
    db.session.commit()
    assert deletion_blockers(second) == ["1 条笔记在上一版本的同一条文上另有笔记"]
