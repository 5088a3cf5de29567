"""Deleting a study material made by mistake (library.material_deletion): only one nobody
has read and nothing points at; its attachments' files go with it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import AuditEntry, User
from lawlearn.database import utcnow
from lawlearn.errors import Conflict
from lawlearn.extensions import db
from lawlearn.library import attachments, material_deletion, materials
from lawlearn.library.models import CollectionEntry, Material, MaterialAttachment
from lawlearn.sessions.models import SessionLink
from tests.conftest import post_with_csrf
from tests.library.test_materials import make_material, pdf_bytes, png_bytes, stored_files
from tests.plans.test_kinds import add_item, make_plan
from tests.sessions.test_leave_and_attendance import make_session


def test_only_a_material_nobody_read_and_nothing_points_at_is_deleted(ctx, make_user, admin):
    read_id = make_material(ctx, "已读资料")
    planned_id = make_material(ctx, "计划资料", published=False)
    cited_id = make_material(ctx, "活动资料", published=False)
    live_id = make_material(ctx, "已发布资料")
    reader = make_user("reader")
    actor = db.session.get(User, admin.id)
    materials.record_open(reader.id, read_id, utcnow())
    add_item(make_plan("草稿计划", status="draft"), "material", title="读资料",
             settings={"material_id": planned_id})
    session = make_session(utcnow() + timedelta(days=2), title="集中学法")
    db.session.add(SessionLink(session_id=session.id, material_id=cited_id))
    db.session.flush()

    def blockers(material_id: int) -> list[str]:
        return material_deletion.deletion_blockers(db.session.get(Material, material_id))

    assert blockers(read_id) == ["资料已发布，请先撤回", "已有 1 人的阅读记录"]
    assert blockers(planned_id) == ["学习计划的事项用到它：《草稿计划》的“读资料”"]
    assert blockers(cited_id) == ["1 场学法活动引用它"]
    assert blockers(live_id) == ["资料已发布，请先撤回"]
    with pytest.raises(Conflict, match="不能删除：1 场学法活动引用它。"):
        material_deletion.delete_material(actor, db.session.get(Material, cited_id))
    assert db.session.get(Material, cited_id) is not None


def test_admin_deletes_a_mistaken_material_with_its_files(app, admin_client, make_user):
    mistake_id = make_material(app, "误建的资料", published=False)
    kept_id = make_material(app, "正式资料")
    with app.app_context():
        mistake = db.session.get(Material, mistake_id)
        for name, data in (("通知.pdf", pdf_bytes()), ("海报.png", png_bytes())):
            attachments.add_attachment(None, mistake, name, data)
        collection = materials.create_collection(None, "专题合集")
        materials.add_to_collection(collection, mistake)
        db.session.commit()
    assert len(stored_files(app)) == 2

    page = admin_client.get(f"/admin/library/materials/{mistake_id}").get_data(as_text=True)
    assert 'data-confirm="删除学习资料《误建的资料》及其全部 2 个附件？此操作无法撤销。"' in page
    assert "它将从 1 个专题合集中移除。" in page
    page = admin_client.get(f"/admin/library/materials/{kept_id}").get_data(as_text=True)
    assert "这份资料不能删除：" in page and f"/materials/{kept_id}/delete" not in page

    assert admin_client.post(f"/admin/library/materials/{mistake_id}/delete").status_code == 400
    refused = post_with_csrf(admin_client, f"/admin/library/materials/{kept_id}",
                             f"/admin/library/materials/{kept_id}/delete",
                             follow_redirects=True).get_data(as_text=True)
    assert "不能删除：资料已发布，请先撤回。" in refused
    done = post_with_csrf(admin_client, f"/admin/library/materials/{mistake_id}",
                          f"/admin/library/materials/{mistake_id}/delete",
                          follow_redirects=True)
    assert "已删除学习资料《误建的资料》。" in done.get_data(as_text=True)
    assert stored_files(app) == []  # the files went with the rows
    with app.app_context():
        assert db.session.get(Material, mistake_id) is None
        assert db.session.get(Material, kept_id) is not None
        assert db.session.scalar(select(func.count(MaterialAttachment.id))) == 0
        assert db.session.scalar(select(func.count(CollectionEntry.id))) == 0
        assert db.session.scalar(select(AuditEntry.summary).filter_by(
            action="material.delete")) == "删除学习资料《误建的资料》"

    clerk = make_user("clerk")
    staff = app.test_client()
    from tests.conftest import PASSWORD, csrf_from

    token = csrf_from(staff.get("/login"))
    staff.post("/login", data={"username": clerk.username, "password": PASSWORD,
                               "csrf_token": token})
    token = csrf_from(staff.get("/library/"))
    assert staff.post(f"/admin/library/materials/{kept_id}/delete",
                      data={"csrf_token": token}).status_code == 403
