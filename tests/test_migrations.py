"""`flask db upgrade` on an empty database builds exactly the schema the models describe."""

from __future__ import annotations

import os
import uuid
from types import SimpleNamespace

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from lawlearn import create_app
from lawlearn.database import include_in_migrations
from lawlearn.extensions import db


@pytest.fixture
def empty_database_url(tmp_path):
    base = os.environ.get("LAWLEARN_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    name = f"lawlearn_mig_{uuid.uuid4().hex[:8]}"
    admin_url = make_url(base).set(database="postgres")
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    engine.dispose()


def test_upgrade_builds_the_model_schema_and_downgrade_removes_it(empty_database_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": empty_database_url,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "include_name": include_in_migrations})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        downgrade(revision="base")
        remaining = {name for name in inspect(db.engine).get_table_names()
                     if include_in_migrations(name, "table", None)} - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def test_upgrade_numbers_units_that_already_share_a_name(empty_database_url, tmp_path):
    """Before the unique index, two admins adding a unit at the same instant could make two
    of one name: the upgrade keeps both, their sections and their people, and numbers the
    later ones so the index can be built."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": empty_database_url,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    with app.app_context():
        upgrade(revision="4e0a9d2c7b31")
        with db.engine.begin() as connection:
            for unit_id, name, parent_id in ((1, "司法局", None), (2, "司法局", None),
                                             (3, "司法局（2）", None), (4, "司法局", None),
                                             (5, "办公室", 2), (6, "办公室", 1)):
                connection.execute(text(
                    "INSERT INTO department (id, name, parent_id, sort_order, created_at) "
                    "VALUES (:id, :name, :parent, 0, '2026-01-01')"),
                    {"id": unit_id, "name": name, "parent": parent_id})
        upgrade()
        with db.engine.connect() as connection:
            names = dict(connection.execute(text(
                "SELECT id, name FROM department ORDER BY id")).all())
        assert names == {1: "司法局", 2: "司法局（3）", 3: "司法局（2）", 4: "司法局（4）",
                         5: "办公室", 6: "办公室"}
        # PostgreSQL names the index; SQLite names the column.
        with pytest.raises(IntegrityError, match="uq_department_top_level_name|department.name"), \
                db.engine.begin() as connection:
            connection.execute(text("INSERT INTO department (id, name, parent_id, sort_order, "
                                    "created_at) VALUES (7, '司法局', NULL, 0, '2026-01-01')"))
        db.engine.dispose()


def test_upgrade_numbers_campaigns_that_already_share_a_title(empty_database_url, tmp_path):
    """Before the unique index, two campaigns could have one title: the upgrade keeps both
    and numbers the later ones."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": empty_database_url,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    with app.app_context():
        upgrade(revision="008ad5895826")
        with db.engine.begin() as connection:
            for campaign_id, title in ((1, "2026年宪法宣传周"), (2, "2026年宪法宣传周"),
                                       (3, "2026年宪法宣传周（2）"), (4, "民法典宣传月")):
                connection.execute(text(
                    "INSERT INTO campaign (id, title, description, starts_on, ends_on, targets, "
                    "created_at) VALUES (:id, :title, '', '2026-12-01', '2026-12-07', '{}', "
                    "'2026-01-01')"), {"id": campaign_id, "title": title})
        upgrade()
        with db.engine.connect() as connection:
            titles = dict(connection.execute(text(
                "SELECT id, title FROM campaign ORDER BY id")).all())
        assert titles == {1: "2026年宪法宣传周", 2: "2026年宪法宣传周（3）",
                          3: "2026年宪法宣传周（2）", 4: "民法典宣传月"}
        with pytest.raises(IntegrityError, match="uq_campaign_title|campaign.title"), \
                db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO campaign (id, title, description, starts_on, ends_on, targets, "
                "created_at) VALUES (5, '民法典宣传月', '', '2026-12-01', '2026-12-07', '{}', "
                "'2026-01-01')"))
        db.engine.dispose()


def test_upgrade_leaves_one_current_version_of_each_law(empty_database_url, tmp_path):
    """Two imports of one law at the same instant could leave two current versions: the
    later stays current, the earlier becomes an amended version; no row is lost."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": empty_database_url,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    with app.app_context():
        upgrade(revision="50233821cfc9")
        with db.engine.begin() as connection:
            for law_id, title, version, current in ((1, "宪法", 1, False), (2, "宪法", 2, True),
                                                    (3, "宪法", 2, True), (4, "民法典", 1, True)):
                connection.execute(text(
                    "INSERT INTO law (id, title, category, status, preamble, version, "
                    "is_current, article_count, created_at) VALUES (:id, :title, 'law', "
                    "'in_force', '[]', :version, :current, 0, '2026-01-01')"),
                    {"id": law_id, "title": title, "version": version, "current": current})
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT id, is_current, status FROM law ORDER BY id")).all()
        assert [(i, bool(current), status) for i, current, status in rows] == [
            (1, False, "in_force"), (2, False, "amended"), (3, True, "in_force"),
            (4, True, "in_force")]
        db.engine.dispose()


def test_upgrade_retires_choice_questions_whose_answer_names_no_option(empty_database_url,
                                                                       tmp_path):
    """A single-choice question saved with "AB" broke every quiz that drew it: the upgrade
    retires such questions, each with an audit entry, and leaves sound ones alone."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": empty_database_url,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    questions = {1: ("single", '"B"'), 2: ("single", '"AB"'), 3: ("multiple", '["A", "C"]'),
                 4: ("multiple", '["A", "D"]'), 5: ("true_false", "true"), 6: ("single", '"D"')}
    with app.app_context():
        upgrade(revision="6c1f0e4b9a27")
        with db.engine.begin() as connection:
            for question_id, (kind, answer) in questions.items():
                connection.execute(text(
                    "INSERT INTO question (id, type, stem, options, answer, explanation, tags, "
                    "difficulty, status, fingerprint, revision, created_at, updated_at) VALUES "
                    "(:id, :type, '题干', '[\"甲\", \"乙\", \"丙\"]', :answer, '', '[]', "
                    "'easy', 'active', :fp, 1, '2026-01-01', '2026-01-01')"),
                    {"id": question_id, "type": kind, "answer": answer, "fp": str(question_id)})
        upgrade()
        with db.engine.connect() as connection:
            statuses = dict(connection.execute(text(
                "SELECT id, status FROM question ORDER BY id")).all())
            audited = connection.execute(text(
                "SELECT target_id, summary FROM audit_entry WHERE action = 'question.retire' "
                "ORDER BY target_id")).all()
        assert statuses == {1: "active", 2: "retired", 3: "active", 4: "retired",
                            5: "active", 6: "retired"}
        assert [target for target, _summary in audited] == [2, 4, 6]
        assert "答案与选项不符" in audited[0][1]
        db.engine.dispose()


def test_upgrade_keeps_one_bookmark_per_article_across_versions(empty_database_url, tmp_path):
    """Re-imports used to copy bookmarks and notes to the new version: the upgrade keeps
    the newest version's, and an older note only when its text differs."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": empty_database_url,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    with app.app_context():
        upgrade(revision="b26798d951fd")
        with db.engine.begin() as connection:
            for user_id in (1, 2):
                connection.execute(text(
                    "INSERT INTO \"user\" (id, username, name, password_hash, active, "
                    "must_change_password, failed_logins, login_nonce, created_at) VALUES "
                    "(:id, :name, :name, 'x', :yes, :no, 0, 'n', '2026-01-01')"),
                    {"id": user_id, "name": f"u{user_id}", "yes": True, "no": False})
            for law_id, version, current in ((1, 1, False), (2, 2, True)):
                connection.execute(text(
                    "INSERT INTO law (id, title, category, status, preamble, version, "
                    "is_current, article_count, created_at) VALUES (:id, '宪法', 'law', "
                    "'in_force', '[]', :version, :current, 2, '2026-01-01')"),
                    {"id": law_id, "version": version, "current": current})
            # Articles 1 and 2 of version 1 (ids 11, 12) and of version 2 (ids 21, 22).
            for article_id, law_id, number in ((11, 1, 1), (12, 1, 2), (21, 2, 1), (22, 2, 2)):
                connection.execute(text(
                    "INSERT INTO law_article (id, law_id, number, sub_number, label, paragraphs, "
                    "text, position) VALUES (:id, :law, :number, 0, '第一条', '[]', '甲', :number)"),
                    {"id": article_id, "law": law_id, "number": number})
            for user_id, article_id in ((1, 11), (1, 21), (1, 12), (2, 11)):
                connection.execute(text("INSERT INTO article_bookmark (user_id, article_id, "
                                        "created_at) VALUES (:u, :a, '2026-01-01')"),
                                   {"u": user_id, "a": article_id})
            for note_id, user_id, article_id, body in ((1, 1, 11, "要点"), (2, 1, 21, "要点"),
                                                       (3, 2, 12, "旧版的想法"),
                                                       (4, 2, 22, "新版的想法")):
                connection.execute(text(
                    "INSERT INTO article_note (id, user_id, article_id, body, updated_at) "
                    "VALUES (:id, :u, :a, :body, '2026-01-01')"),
                    {"id": note_id, "u": user_id, "a": article_id, "body": body})
        upgrade()
        with db.engine.connect() as connection:
            bookmarks = connection.execute(text(
                "SELECT user_id, article_id FROM article_bookmark ORDER BY user_id, "
                "article_id")).all()
            notes = [row[0] for row in connection.execute(text(
                "SELECT id FROM article_note ORDER BY id"))]
        # u1's copy on version 1 goes; u1's only bookmark of article 2 and u2's stay.
        assert [tuple(row) for row in bookmarks] == [(1, 12), (1, 21), (2, 11)]
        assert notes == [2, 3, 4]  # the repeated note goes, a different one stays
        db.engine.dispose()


def test_upgrade_keeps_leads_counted_and_drops_closing_absences_of_admin_only_accounts(
        empty_database_url, tmp_path):
    """Participants now hold the staff role: leads and leaders counted before keep counting
    (they get the role), and the absences closing wrote for an admin-only account go, while
    its own check-in stays."""
    from datetime import datetime

    from lawlearn.sessions.models import Attendance, SessionKind, StudySession

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": empty_database_url,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    with app.app_context():
        # The sessions' tables are the models' at this revision (rows through the ORM); the
        # user table is not (it gained joined_at later).
        upgrade(revision="1e8fbc5efb38")
        people = {}
        for user_id, (username, roles) in enumerate((
                ("it", ["admin"]), ("lead", ["dept_lead"]), ("boss", ["leader"]),
                ("clerk", ["staff"]), ("chief", ["admin", "staff"])), start=1):
            db.session.execute(text(
                'INSERT INTO "user" (id, username, name, password_hash, active, '
                "must_change_password, failed_logins, login_nonce, created_at) VALUES "
                "(:id, :name, :name, 'x', :yes, :yes, 0, 'n', '2026-01-01')"),
                {"id": user_id, "name": username, "yes": True})
            for role in roles:
                db.session.execute(text("INSERT INTO user_role (user_id, role) VALUES "
                                        "(:id, :role)"), {"id": user_id, "role": role})
            people[username] = SimpleNamespace(id=user_id)
        kind = db.session.scalar(db.select(SessionKind))  # the migrations seed the kinds
        start = datetime(2026, 3, 2, 1, 0)
        end = datetime(2026, 3, 2, 2, 0)
        sessions = [StudySession(title=f"学法{n}", kind=kind, starts_at=start,
                                 ends_at=end, closed_at=end) for n in (1, 2)]
        db.session.add_all(sessions)
        db.session.flush()
        for user in people.values():
            db.session.add(Attendance(session_id=sessions[0].id, user_id=user.id,
                                      status="absent", source="closing"))
        db.session.add(Attendance(session_id=sessions[1].id, user_id=people["it"].id,
                                  status="present", source="qr"))
        db.session.commit()
        ids = {name: user.id for name, user in people.items()}
        db.session.remove()
        upgrade()
        with db.engine.connect() as connection:
            staff = set(connection.execute(text(
                "SELECT user_id FROM user_role WHERE role = 'staff'")).scalars())
            kept = connection.execute(text(
                "SELECT user_id, status FROM attendance ORDER BY user_id, status")).all()
        assert staff == {ids["lead"], ids["boss"], ids["clerk"], ids["chief"]}
        assert sorted(tuple(row) for row in kept) == sorted(
            [(ids[name], "absent") for name in ("lead", "boss", "clerk", "chief")]
            + [(ids["it"], "present")])
        db.engine.dispose()


def test_upgrade_dates_everyone_joined_when_their_account_was_made(empty_database_url,
                                                                    tmp_path):
    """Until 加入日期, the account's making was the joining: the upgrade copies it, so no
    figure moves."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": empty_database_url,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    with app.app_context():
        upgrade(revision="3f6a9c2d5e81")
        with db.engine.begin() as connection:
            for user_id, made in ((1, "2024-09-01 02:30:00"), (2, "2026-11-28 08:00:00")):
                connection.execute(text(
                    'INSERT INTO "user" (id, username, name, password_hash, active, '
                    "must_change_password, failed_logins, login_nonce, created_at) VALUES "
                    "(:id, :username, '某人', 'x', :yes, :yes, 0, 'n', :made)"),
                    {"id": user_id, "username": f"u{user_id}", "made": made, "yes": True})
                connection.execute(text("INSERT INTO user_role (user_id, role) VALUES "
                                        "(:id, 'staff')"), {"id": user_id})
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(text(
                'SELECT id, created_at, joined_at FROM "user" ORDER BY id')).all()
            # SQLite rebuilds the table: the rows referencing it (ON DELETE CASCADE) stay.
            roles = connection.execute(text("SELECT user_id FROM user_role")).scalars().all()
        assert sorted(roles) == [1, 2]
        assert [str(row.joined_at) for row in rows] == ["2024-09-01 02:30:00",
                                                        "2026-11-28 08:00:00"]
        assert all(row.joined_at == row.created_at for row in rows)
        db.engine.dispose()


def test_upgrade_dates_undated_session_items_on_their_session_day(empty_database_url, tmp_path):
    """A session item without a due date gets its session's local day when its plan runs
    then (someone who joined after the session no longer owes it); other items, dated
    session items, sessions outside their plan and closed plans keep what they had; an item
    on a cancelled session is marked so."""
    from datetime import date, datetime

    from sqlalchemy import select

    from lawlearn.plans.models import Plan, PlanItem
    from lawlearn.sessions.models import SessionKind, StudySession

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": empty_database_url,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    with app.app_context():
        upgrade(revision="c4a7e2f9b318")  # the schema the models have, less no column
        kind = db.session.scalars(db.select(SessionKind)).first()  # seeded by a migration
        late_evening = datetime(2026, 3, 10, 17, 30)  # 01:30 on 11 March in Shanghai
        march = StudySession(title="三月", kind=kind, starts_at=late_evening,
                             ends_at=datetime(2026, 3, 10, 19, 30))
        january = StudySession(title="一月", kind=kind, starts_at=datetime(2026, 1, 5, 1, 0),
                               ends_at=datetime(2026, 1, 5, 3, 0))
        plan = Plan(title="春季计划", kind="annual", starts_on=date(2026, 3, 1),
                    ends_on=date(2026, 6, 30), status="published", required_hours=0,
                    audience_all=True)
        plan.items = [
            PlanItem(kind="session", title="未设截止", position=0,
                     settings={"session_id": None}),
            PlanItem(kind="session", title="已设截止", position=1, due_on=date(2026, 4, 30),
                     settings={}),
            PlanItem(kind="session", title="计划外", position=2, settings={}),
            PlanItem(kind="material", title="资料", position=3, settings={"material_id": 1}),
        ]
        cancelled = StudySession(title="取消", kind=kind, starts_at=datetime(2026, 4, 1, 1, 0),
                                 ends_at=datetime(2026, 4, 1, 3, 0),
                                 cancelled_at=datetime(2026, 3, 30, 1, 0))
        plan.items.append(PlanItem(kind="session", title="已取消", position=4, settings={}))
        closed = Plan(title="已结束计划", kind="annual", starts_on=date(2026, 3, 1),
                      ends_on=date(2026, 6, 30), status="closed", required_hours=0,
                      audience_all=True,
                      items=[PlanItem(kind="session", title="已关闭", position=0, settings={})])
        db.session.add_all([march, january, cancelled, plan, closed])
        db.session.flush()
        for row, session in zip([*plan.items[:3], plan.items[4], closed.items[0]],
                                (march, march, january, cancelled, march), strict=True):
            row.settings = {"session_id": session.id, "excused_counts": False}
        db.session.commit()
        db.session.remove()
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(select(PlanItem.title, PlanItem.due_on,
                                             PlanItem.settings)).all()
        due = {title: str(day) if day else None for title, day, _settings in rows}
        assert due == {"未设截止": "2026-03-11", "已设截止": "2026-04-30", "计划外": None,
                       "资料": None, "已取消": None, "已关闭": None}
        # An item on a session cancelled before: nobody's until it names another session.
        flagged = {title for title, _day, settings in rows if settings.get("session_cancelled")}
        assert flagged == {"已取消"}
        db.engine.dispose()


def test_upgrade_keys_every_existing_name_in_pinyin(empty_database_url, tmp_path):
    """People already there are listed in pinyin order after the upgrade, as new ones are."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": empty_database_url,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    with app.app_context():
        upgrade(revision="5b8d3f1e6a42")
        with db.engine.begin() as connection:
            for user_id, name in ((1, "唐亮"), (2, "曾敏"), (3, "陈静")):
                connection.execute(text(
                    'INSERT INTO "user" (id, username, name, password_hash, active, '
                    "must_change_password, failed_logins, login_nonce, created_at, joined_at) "
                    "VALUES (:id, :username, :name, 'x', :yes, :yes, 0, 'n', :made, :made)"),
                    {"id": user_id, "username": f"u{user_id}", "name": name, "yes": True,
                     "made": "2026-01-01 00:00:00"})
                connection.execute(text("INSERT INTO user_role (user_id, role) VALUES "
                                        "(:id, 'staff')"), {"id": user_id})
        upgrade()
        with db.engine.connect() as connection:
            names = connection.execute(text(
                'SELECT name FROM "user" ORDER BY name_key')).scalars().all()
            roles = connection.execute(text("SELECT user_id FROM user_role")).scalars().all()
        assert names == ["陈静", "唐亮", "曾敏"]
        assert sorted(roles) == [1, 2, 3]
        db.engine.dispose()


def test_upgrade_leaves_past_practice_days_counted(empty_database_url, tmp_path):
    """A day with an answer too fast counts as no day of practice from the upgrade on; the
    days before stay counted (a 坚持每日一练 item stamped done must not come undone)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": empty_database_url,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    made = "2026-01-01 00:00:00"
    with app.app_context():
        upgrade(revision="d2f6a8c4e1b7")
        with db.engine.begin() as connection:
            connection.execute(text(
                'INSERT INTO "user" (id, username, name, name_key, password_hash, active, '
                "must_change_password, failed_logins, login_nonce, created_at, joined_at) "
                "VALUES (1, 'u1', '甲', 'jia', 'x', :yes, :yes, 0, 'n', :made, :made)"),
                {"yes": True, "made": made})
            connection.execute(text(
                "INSERT INTO question (id, type, stem, options, answer, explanation, tags, "
                "difficulty, status, fingerprint, revision, created_at, updated_at) VALUES "
                "(1, 'true_false', '？', '[]', 'true', '', '[]', 'easy', 'active', 'f', 1, "
                ":made, :made)"), {"made": made})
            # A completed day with a fast answer, a clean one, and an unfinished one.
            for set_id, day, completed, too_fast in ((1, "2026-01-02", made, True),
                                                     (2, "2026-01-03", made, False),
                                                     (3, "2026-01-04", None, True)):
                connection.execute(text(
                    "INSERT INTO daily_set (id, user_id, day, created_at, completed_at) "
                    "VALUES (:id, 1, :day, :made, :completed)"),
                    {"id": set_id, "day": day, "made": made, "completed": completed})
                connection.execute(text(
                    "INSERT INTO daily_set_item (set_id, question_id, position, reason, "
                    "snapshot, too_fast, points_awarded) VALUES (:id, 1, 0, 'new', '{}', "
                    ":fast, 0)"), {"id": set_id, "fast": too_fast})
        upgrade()
        with db.engine.connect() as connection:
            hurried = dict(connection.execute(text(
                "SELECT id, hurried FROM daily_set")).all())
        assert {key: bool(value) for key, value in hurried.items()} == \
            {1: False, 2: False, 3: False}
        db.engine.dispose()


def test_rows_already_pointing_nowhere_are_warned_of_not_blamed_on_the_upgrade(
        empty_database_url, tmp_path, capfd):
    """An old copy kept with foreign keys off can hold a person in a department long gone.
    The upgrade said the migrations had left it (and exited with the schema already at
    head); it goes on and names the row as found before."""
    if not empty_database_url.startswith("sqlite"):
        pytest.skip("foreign keys are never off on PostgreSQL")  # the check is SQLite's
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": empty_database_url,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    with app.app_context():
        upgrade(revision="4e0a9d2c7b31")
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.exec_driver_sql(
                "INSERT INTO \"user\" (id, username, name, password_hash, active, "
                "must_change_password, failed_logins, login_nonce, department_id, created_at) "
                "VALUES (3, 'orphan', '孤儿', 'x', 1, 0, 0, 'n', 99, '2026-01-01')")
            connection.commit()
        capfd.readouterr()
        upgrade()
        said = capfd.readouterr().err  # alembic's logging configuration writes to stderr
        assert "already holds 1 rows referencing missing rows" in said
        assert "('user', 3, 'department')" in said and "migrations left" not in said
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalar() == _head()
        db.engine.dispose()


def _head() -> str:
    from alembic.script import ScriptDirectory
    from flask import current_app

    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_current_head()
