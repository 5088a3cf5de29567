"""The same name submitted twice at once on an admin form (a double click, two admins,
two app servers): the twin commits between this request's check and its write, the unique
key refuses the write, and the admin gets the form's own message, not a 500. One row is
written, and the request can still read (PostgreSQL aborts a transaction whose statement
failed: only a savepoint keeps it usable)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lawlearn.accounts import departments, importing
from lawlearn.accounts.models import Department, User
from lawlearn.accounts.services import UserFields, create_user
from lawlearn.errors import Conflict, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library import materials
from lawlearn.library.models import CollectionEntry, Law, Material, MaterialCollection
from lawlearn.outreach.campaigns import CampaignFields, create_campaign
from lawlearn.outreach.categories import add_category, rename_category
from lawlearn.outreach.models import Campaign, OutreachCategory, OutreachEvent, StallQuiz
from lawlearn.practice import points
from lawlearn.reports.dashboard_targets import TARGETS, change_targets, targets_for
from lawlearn.sessions.kinds import add_kind
from lawlearn.sessions.models import SessionKind
from lawlearn.settings import SiteSetting, get_setting, set_setting
from lawlearn.unique_keys import duplicate_raises, inserted, is_unique_violation
from tests.conftest import post_with_csrf
from tests.outreach.test_stall import BANK
from tests.outreach.test_stall import event_id as event_id  # noqa: F401  (a fixture)
from tests.races import key_refusals as key_refusals  # noqa: F401  (a fixture)
from tests.races import reads, twin_at


def checks_name(table: str) -> Callable[[str], bool]:
    """The service's check that a name is free in ``table`` (not a page's or a parent's
    read of the same table): the twin then commits between the check and the write."""
    return lambda statement: (statement.lstrip().startswith("SELECT")
                              and f"WHERE {table}.name = " in statement)


checks_department_name = checks_name("department")


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_unit_created_twice_at_once(app, key_refusals):
    with app.app_context():
        with twin_at(app, lambda: departments.create_department(None, "区司法局"),
                     after=checks_department_name) as ran, \
                pytest.raises(ValidationFailed, match="已有名为“区司法局”的部门"):
            departments.create_department(None, "区司法局")
        assert ran
        assert count(Department, Department.name == "区司法局") == 1
    assert key_refusals == [True]  # the key refused it, not the check



def test_a_campaign_created_twice_at_once(app, key_refusals):
    def create() -> None:
        create_campaign(None, CampaignFields(title="2026年宪法宣传周", starts_on=date(2026, 12, 1),
                                             ends_on=date(2026, 12, 7)), datetime(2026, 11, 1))

    with app.app_context():
        with twin_at(app, create, after=lambda statement: statement.lstrip().startswith(
                "SELECT") and "WHERE campaign.title = " in statement) as ran, \
                pytest.raises(ValidationFailed, match="已有名为《2026年宪法宣传周》的主题宣传"):
            create()
        assert ran
        assert count(Campaign) == 1
    assert key_refusals == [True]  # the key refused it, not the check


def test_a_section_created_twice_at_once(app, make_department, key_refusals):
    unit = make_department("区司法局")
    with app.app_context():
        with twin_at(app, lambda: departments.create_department(None, "普法科", unit),
                     after=checks_department_name) as ran, \
                pytest.raises(ValidationFailed, match="普法科"):
            departments.create_department(None, "普法科", unit)
        assert ran and count(Department, Department.parent_id == unit) == 1
    assert key_refusals == [True]  # the key refused it, not the check



def test_a_rename_onto_a_unit_created_meanwhile(app, make_department, key_refusals):
    old = make_department("旧名")
    with app.app_context():
        unit = db.session.get(Department, old)
        with twin_at(app, lambda: departments.create_department(None, "新名"),
                     after=checks_department_name) as ran, \
                pytest.raises(ValidationFailed, match="新名"):
            departments.rename_department(None, unit, "新名")
        assert ran
        assert sorted(db.session.scalars(select(Department.name))) == ["新名", "旧名"]
    assert key_refusals == [True]  # the key refused it, not the check



def test_the_department_form_shows_the_message(app, admin_client, key_refusals):
    def twin() -> None:
        departments.create_department(None, "区审计局")

    with app.app_context(), twin_at(app, twin, after=checks_department_name) as ran:
        response = post_with_csrf(admin_client, "/admin/departments", "/admin/departments",
                                  {"name": "区审计局", "parent_id": ""})
    assert ran
    assert response.status_code == 200
    assert "同一上级下已有名为“区审计局”的部门" in response.get_data(as_text=True)
    with app.app_context():
        assert count(Department, Department.name == "区审计局") == 1
    assert key_refusals == [True]  # the key refused it, not the check



def test_a_username_created_twice_at_once(app, key_refusals):
    fields = UserFields("张三", None, {"staff"})

    def create() -> User:
        return create_user(None, "zhangsan", "a-good-password", fields)

    with app.app_context():
        with twin_at(app, create, after=lambda statement: statement.startswith("SELECT")
                     and ".username = " in statement) as ran, \
                pytest.raises(ValidationFailed, match="用户名 zhangsan 已存在"):
            create()
        assert ran
        assert count(User, User.username == "zhangsan") == 1
    assert key_refusals == [True]  # the key refused it, not the check



def test_a_session_kind_added_twice_at_once_through_the_form(app, admin_client, key_refusals):
    with app.app_context(), twin_at(app, lambda: add_kind("专题讲座"),
                                    after=checks_name("session_kind")) as ran:
        response = post_with_csrf(admin_client, "/admin/sessions/kinds",
                                  "/admin/sessions/kinds", {"name": "专题讲座"})
    assert ran
    assert response.status_code == 200 and "已有这个类型。" in response.get_data(as_text=True)
    with app.app_context():
        assert count(SessionKind, SessionKind.name == "专题讲座") == 1
    assert key_refusals == [True]  # the key refused it, not the check



def test_an_outreach_category_added_or_renamed_onto_one_added_meanwhile(app, admin, key_refusals):
    with app.app_context():
        actor = db.session.get(User, admin.id)
        with twin_at(app, lambda: add_category(None, "进宗教场所"),
                     after=checks_name("outreach_category")) as ran, \
                pytest.raises(ValidationFailed, match="进宗教场所"):
            add_category(actor, "进宗教场所")
        assert ran
        other = add_category(actor, "进家庭")
        db.session.commit()
        with twin_at(app, lambda: add_category(None, "进市场"),
                     after=checks_name("outreach_category")) as ran, \
                pytest.raises(ValidationFailed, match="进市场"):
            rename_category(actor, other, "进市场")
        assert ran
        assert sorted(db.session.scalars(select(OutreachCategory.name))) == [
            "进宗教场所", "进家庭", "进市场"]
    assert key_refusals == [True, True]  # the key refused them, not the check



def test_a_material_added_to_a_collection_twice_at_once(app, key_refusals):
    with app.app_context():
        material = materials.create_material(None, materials.MaterialFields(
            title="宪法学习读本", kind="article", body_markdown="正文", published=True))
        collection = materials.create_collection(None, "宪法宣传周", published=True)
        db.session.commit()
        material_id, collection_id = material.id, collection.id

    def add() -> None:
        materials.add_to_collection(db.session.get(MaterialCollection, collection_id),
                                    db.session.get(Material, material_id))

    with app.app_context():
        with twin_at(app, add, after=reads("collection_entry")) as ran, \
                pytest.raises(ValidationFailed, match="该资料已在专题中"):
            add()
        assert ran
        assert count(CollectionEntry, CollectionEntry.collection_id == collection_id) == 1
    assert key_refusals == [True]  # the key refused it, not the check



def test_a_stall_quiz_opened_twice_at_once(app, event_id, make_questions, key_refusals):  # noqa: F811
    make_questions(BANK)

    def open_it() -> StallQuiz:
        from lawlearn.database import utcnow
        from lawlearn.outreach import stall

        return stall.open_stall_quiz(None, db.session.get(OutreachEvent, event_id),
                                     now=utcnow(), count=3, rng=random.Random(1))

    with app.app_context():
        with twin_at(app, open_it, after=reads("stall_quiz")) as ran, \
                pytest.raises(Conflict, match="有奖问答刚刚已经开启"):
            open_it()
        assert ran
        assert count(StallQuiz, StallQuiz.event_id == event_id) == 1
    assert key_refusals == [True]  # the key refused it, not the check



def test_only_a_unique_key_becomes_the_message(app):
    """A foreign key or a NOT NULL that refuses the row is a bug, not a duplicate: it is
    raised as it is."""
    with app.app_context(), pytest.raises(IntegrityError) as raised, \
            duplicate_raises(ValidationFailed("重复")):
        db.session.add(Department(name="无上级", parent_id=999_999))
    assert not is_unique_violation(raised.value)


# --- first saves of a setting at the same moment ----------------------------------------------


def test_a_site_setting_saved_for_the_first_time_twice_at_once(app, key_refusals):
    with app.app_context():
        with twin_at(app, lambda: set_setting("practice.daily_size", 8),
                     after=reads("site_setting")) as ran:
            set_setting("practice.daily_size", 10)
        db.session.commit()
        assert ran
        assert get_setting("practice.daily_size") == 10  # the later save wins
    assert key_refusals == [True]  # the key refused it, not the check



def test_a_points_rule_changed_for_the_first_time_twice_at_once(app, key_refusals):
    with app.app_context():
        with twin_at(app, lambda: points.set_rule("article_read", 3, 6, True),
                     after=reads("point_rule")) as ran:
            points.set_rule("article_read", 2, 20, True)
        db.session.commit()
        assert ran
        rule = points.get_rule("article_read")
        assert (rule.amount, rule.daily_cap, rule.enabled) == (2, 20, True)
    assert key_refusals == [True]  # the key refused it, not the check



def test_two_first_saves_of_dashboard_targets_keep_both_years(app, key_refusals):
    now = datetime(2026, 6, 1)
    values = {key: spec.high for key, spec in TARGETS.items()}

    with app.app_context():
        with twin_at(app, lambda: change_targets(None, 2024, values, now=now),
                     after=reads("site_setting")) as ran:
            change_targets(None, 2025, values, now=now)
        db.session.commit()
        assert ran
        assert targets_for(2024).own and targets_for(2025).own
    assert key_refusals == [True]  # the key refused it, not the check


# --- what a savepoint must not do -------------------------------------------------------------


def test_a_rollback_after_a_savepoint_undoes_its_write(app):
    """On SQLite a SAVEPOINT sent before any write would begin (and its RELEASE commit) a
    transaction of SQLite's own: a failed request's rollback would then leave the row."""
    with app.app_context():
        departments.create_department(None, "区统计局")
        assert inserted(SiteSetting(key="practice.daily_size", value=9))
        db.session.rollback()
        assert count(Department) == 0 and count(SiteSetting) == 0


def test_a_username_created_before_a_bulk_import_is_confirmed_refuses_all_of_it(
        app, key_refusals):
    """Between the preview (which checked every username) and the confirmation, another
    admin creates one of them: nothing of the file is imported, and it says why."""
    data = "用户名,姓名\nlisi,李四\nwangwu,王五\nzhaoliu,赵六\n".encode()
    with app.app_context():
        parsed = importing.parse_user_import(data, "an-initial-password")
        assert parsed.ok
    with app.app_context():
        create_user(None, "wangwu", "a-good-password", UserFields("王五", None, {"staff"}))
        db.session.commit()
    with app.app_context():
        with pytest.raises(ValidationFailed, match="用户名 wangwu 已存在"):
            importing.apply_user_import(None, parsed, importing.hash_default_password(
                "an-initial-password"))
        db.session.rollback()
        assert key_refusals == []  # each row's own check saw it
        assert list(db.session.scalars(select(User.username))) == ["wangwu"]


def test_a_law_renamed_onto_another_current_law_is_refused(app, key_refusals):
    from lawlearn.library import services as library
    from tests.library.test_library import SMALL_LAW

    with app.app_context():
        first = library.import_law(None, SMALL_LAW, title="甲法")
        second = library.import_law(None, SMALL_LAW, title="乙法")
        db.session.commit()
        first_id = first.id
        fields = library.LawMetadata(**{name: getattr(second, name) for name in
                                        library.LawMetadata.__dataclass_fields__})
        fields.title = "甲法"
        with pytest.raises(ValidationFailed, match="已有现行的《甲法》"):
            library.update_law(None, second, fields)
        assert key_refusals == []  # the check said so
        fields.title = "丙法"

        def rename_first() -> None:
            library.update_law(None, db.session.get(Law, first_id),
                               library.LawMetadata(**{**vars(fields), "title": "丙法"}))

        with twin_at(app, rename_first, after=reads("law")) as ran, \
                pytest.raises(ValidationFailed, match="已有现行的《丙法》"):
            library.update_law(None, second, fields)
        assert ran and key_refusals == [True]
        db.session.rollback()
        assert sorted(db.session.scalars(select(Law.title))) == ["丙法", "乙法"]


def test_a_username_created_while_a_bulk_import_writes_refuses_all_of_it(app, key_refusals):
    """The other admin's user is committed between the import's check of that row and its
    insert: the key refuses the row, and the batch's savepoint takes back every row. (On
    SQLite this cannot happen: the import holds the write lock from its first write, so
    the other admin's insert waits for it, and the row's own check would see it.)"""
    data = "用户名,姓名\nlisi,李四\nwangwu,王五\nzhaoliu,赵六\n".encode()
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite serialises the two writers; the suite's PostgreSQL pass runs it")
        parsed = importing.parse_user_import(data, "an-initial-password")
        default_hash = importing.hash_default_password("an-initial-password")
        checks = 0

        def second_row_check(statement: str) -> bool:
            nonlocal checks
            checks += statement.startswith("SELECT") and ".username = " in statement
            return checks == 2

        with twin_at(app, lambda: create_user(None, "wangwu", "a-good-password",
                                               UserFields("王五", None, {"staff"})),
                     after=second_row_check) as ran, \
                pytest.raises(ValidationFailed, match="导入期间另有用户以文件中的用户名创建"):
            importing.apply_user_import(None, parsed, default_hash)
        db.session.rollback()
        assert ran and key_refusals == [True]
        assert list(db.session.scalars(select(User.username))) == ["wangwu"]
