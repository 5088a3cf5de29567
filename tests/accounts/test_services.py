"""Accounts services, without HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lawlearn.accounts import departments, rules, services
from lawlearn.accounts.models import AuditEntry, Department, User
from lawlearn.database import utcnow
from lawlearn.errors import PermissionDenied, TooManyAttempts, ValidationFailed
from lawlearn.extensions import db
from tests.conftest import PASSWORD


def test_password_rules(ctx):
    assert services.password_problems("short", "alice") == ["密码至少需要 8 个字符。"]
    assert services.password_problems("Alice123", "alice123") == ["密码不能与用户名相同。"]
    assert services.password_problems("good-password", "alice") == []
    assert services.password_problems(" " * 10, "alice") == ["密码不能只由空格组成。"]
    assert services.password_problems("two words here", "alice") == []  # spaces within: fine
    # One kind of character only: the first a guesser tries.
    for weak in ("12345678", "88888888", "password", "密码密码密码密码", "!!!!????"):
        assert services.password_problems(weak, "alice") == [
            "密码须包含字母、数字、符号中的至少 2 类。"], weak
    for fine in ("abcd1234", "密码是lawlearn9", "1234-5678", "学法用法守法护法！"):
        assert services.password_problems(fine, "alice") == [], fine
    # The username inside it (any case), once it is long enough to mean something.
    assert services.password_problems("Zhangsan123", "zhangsan") == ["密码不能包含用户名。"]
    assert services.password_problems("ｚｈａｎｇｓａｎ123", "zhangsan") == ["密码不能包含用户名。"]
    assert services.password_problems("ab-cdefgh", "ab") == []


def test_password_rules_follow_the_configuration(app, ctx):
    app.config.update(PASSWORD_MIN_LENGTH=12, PASSWORD_MIN_KINDS=3)
    assert services.password_problems("abcd-1234", "alice") == ["密码至少需要 12 个字符。"]
    assert services.password_problems("abcd-efgh-ijkl", "alice") == [
        "密码须包含字母、数字、符号中的至少 3 类。"]
    assert services.password_problems("abcd-efgh-1234", "alice") == []
    assert rules.password_rule_text() == \
        "至少 12 个字符，含字母、数字、符号中的至少 3 类，不能包含用户名。"


def test_creating_a_user_names_every_problem_at_once_and_writes_nothing(ctx):
    with pytest.raises(ValidationFailed) as caught:
        services.create_user(None, "-x", "-x", services.UserFields(
            " ", None, {"staff", "dept_lead"}, phone="12"))
    assert [field for field, _message in caught.value.problems] == [
        "username", "name", "department_id", "phone", "password", "password"]
    assert caught.value.field == "username" and caught.value.message.startswith("用户名须为")
    # A password breaking two rules: both said.
    with pytest.raises(ValidationFailed) as caught:
        services.create_user(None, "abc", "abc", services.UserFields("某人", None, {"staff"}))
    assert [message for _field, message in caught.value.problems] == [
        "密码至少需要 8 个字符。", "密码不能与用户名相同。"]
    assert db.session.scalar(select(User).filter_by(username="abc")) is None


def test_five_failures_lock_for_fifteen_minutes(ctx, make_user):
    ref = make_user("alice")
    now = utcnow()
    for _ in range(4):
        with pytest.raises(ValidationFailed):
            services.authenticate("alice", "wrong-password", now)
    with pytest.raises(TooManyAttempts):
        services.authenticate("alice", "wrong-password", now)
    # Locked: even the right password is refused until the lock ends.
    with pytest.raises(TooManyAttempts):
        services.authenticate("alice", ref.password, now + timedelta(minutes=14))
    user = services.authenticate("ALICE ", ref.password, now + timedelta(minutes=16))
    assert user.username == "alice" and user.failed_logins == 0 and user.locked_until is None


def test_success_resets_failure_count(ctx, make_user):
    ref = make_user("bob")
    now = utcnow()
    for _ in range(4):
        with pytest.raises(ValidationFailed):
            services.authenticate("bob", "nope-nope", now)
    services.authenticate("bob", ref.password, now)
    for _ in range(4):
        with pytest.raises(ValidationFailed):
            services.authenticate("bob", "nope-nope", now)
    assert services.authenticate("bob", ref.password, now).username == "bob"


def test_inactive_user_cannot_log_in(ctx, make_user):
    make_user("carol", active=False)
    with pytest.raises(PermissionDenied):
        services.authenticate("carol", PASSWORD, utcnow())


def test_change_password_clears_flag_and_rotates_nonce(ctx, make_user):
    ref = make_user("dave", must_change_password=True)
    user = db.session.get(User, ref.id)
    nonce = user.login_nonce
    with pytest.raises(ValidationFailed) as wrong:
        services.change_password(user, "not-it-at-all", "new-password-1")
    assert wrong.value.field == "current_password"
    with pytest.raises(ValidationFailed):
        services.change_password(user, PASSWORD, "dave")
    services.change_password(user, PASSWORD, "new-password-1")
    assert not user.must_change_password and user.login_nonce != nonce
    assert user.check_password("new-password-1")


def test_reset_password_forces_change_unlocks_and_is_audited(ctx, admin, make_user):
    ref = make_user("erin")
    actor, user = db.session.get(User, admin.id), db.session.get(User, ref.id)
    user.locked_until = utcnow() + timedelta(minutes=10)
    services.reset_password(actor, user, "temporary-pass")
    assert user.must_change_password and user.locked_until is None
    entry = db.session.scalars(select(AuditEntry).filter_by(action="user.reset_password")).one()
    assert entry.actor_id == admin.id and entry.target_id == user.id


def test_admin_cannot_deactivate_self_or_drop_own_admin_role(ctx, admin):
    actor = db.session.get(User, admin.id)
    with pytest.raises(PermissionDenied):
        services.set_user_active(actor, actor, False)
    with pytest.raises(PermissionDenied):
        services.update_user(actor, actor, services.UserFields("x", None, {"staff"}))


def test_deactivation_revokes_tokens(ctx, admin, make_user):
    ref = make_user("frank")
    user = db.session.get(User, ref.id)
    _raw, token = services.issue_api_token(user, utcnow())
    db.session.flush()
    services.set_user_active(db.session.get(User, admin.id), user, False)
    db.session.refresh(token)
    assert token.revoked_at is not None


def test_create_user_validates(ctx, make_user):
    make_user("grace")
    with pytest.raises(ValidationFailed, match="已存在"):
        services.create_user(None, "Grace", PASSWORD, services.UserFields("G", None, {"staff"}))
    with pytest.raises(ValidationFailed) as bad_name:
        services.create_user(None, "张三", PASSWORD, services.UserFields("张三", None, {"staff"}))
    assert bad_name.value.field == "username"
    with pytest.raises(ValidationFailed, match="未知角色"):
        services.create_user(None, "henry", PASSWORD, services.UserFields("H", None, {"boss"}))


def test_departments_have_at_most_two_levels(ctx):
    unit = departments.create_department(None, "区政府办公室")
    section = departments.create_department(None, "法制科", unit.id)
    with pytest.raises(ValidationFailed, match="最多两级"):
        departments.create_department(None, "小组", section.id)
    with pytest.raises(ValidationFailed, match="已有"):
        departments.create_department(None, "法制科", unit.id)
    other = departments.create_department(None, "区司法局")
    with pytest.raises(ValidationFailed, match="下设科室"):
        departments.move_department(None, unit, other.id)
    departments.move_department(None, section, other.id)
    assert section.full_name == "区司法局/法制科"
    departments.move_department(None, section, None)
    assert section.parent is None


def test_merge_moves_people_and_sections(ctx, make_user):
    source = departments.create_department(None, "旧单位")
    source_section = departments.create_department(None, "旧科室", source.id)
    target = departments.create_department(None, "新单位")
    db.session.commit()
    people = [make_user(department_id=source.id).id, make_user(department_id=source.id).id]
    source = db.session.get(Department, source.id)
    moved = departments.merge_departments(None, source, db.session.get(Department, target.id))
    db.session.commit()
    assert moved == 2
    assert db.session.get(Department, source_section.id).parent_id == target.id
    assert {db.session.get(User, uid).department_id for uid in people} == {target.id}
    assert db.session.scalar(select(Department).filter_by(name="旧单位")) is None


def test_merge_refuses_self_and_own_section(ctx):
    unit = departments.create_department(None, "甲")
    section = departments.create_department(None, "乙", unit.id)
    with pytest.raises(ValidationFailed):
        departments.merge_departments(None, unit, unit)
    with pytest.raises(ValidationFailed):
        departments.merge_departments(None, unit, section)


def test_find_department_by_path_or_unique_name(ctx):
    a = departments.create_department(None, "甲单位")
    b = departments.create_department(None, "乙单位")
    a_office = departments.create_department(None, "办公室", a.id)
    departments.create_department(None, "办公室", b.id)
    assert departments.find_department("甲单位/办公室").id == a_office.id
    assert departments.find_department("甲单位／办公室").id == a_office.id
    assert departments.find_department("办公室") is None  # ambiguous
    assert departments.find_department("乙单位").id == b.id


def test_unknown_usernames_lock_like_real_ones(ctx):
    now = utcnow()
    messages = []
    for _ in range(6):
        with pytest.raises((ValidationFailed, TooManyAttempts)) as failure:
            services.authenticate("ghost", "whatever-pass", now)
        messages.append(failure.value.code)
    assert messages == ["invalid_credentials"] * 4 + ["account_locked"] * 2


def test_phone_must_look_like_a_phone_number(ctx):
    with pytest.raises(ValidationFailed) as bad:
        services.create_user(None, "ivy", PASSWORD, services.UserFields("艾", None, {"staff"},
                                                                         "abc"))
    assert bad.value.field == "phone"
    with pytest.raises(ValidationFailed, match="须为 7 至 20 位数字"):  # too short to call
        services.create_user(None, "ivy", PASSWORD, services.UserFields("艾", None, {"staff"},
                                                                         "12345"))
    user = services.create_user(None, "ivy", PASSWORD,
                                services.UserFields("艾", None, {"staff"}, "+86 138-0000-0000"))
    assert user.phone == "+86 138-0000-0000"
    # A number saved under the older, looser rule stays through other edits.
    user.phone = "12345"
    services.update_user(user, user, services.UserFields("艾二", None, {"staff"}, "12345"))
    assert user.name == "艾二" and user.phone == "12345"
    with pytest.raises(ValidationFailed, match="须为 7 至 20 位数字"):
        services.update_user(user, user, services.UserFields("艾二", None, {"staff"}, "12346"))


def test_concurrent_wrong_passwords_still_lock(app, make_user):
    import threading

    ref = make_user("target")
    outcomes = []

    def guess(n):
        with app.app_context():
            try:
                services.authenticate("target", f"wrong-{n}", utcnow())
            except (ValidationFailed, TooManyAttempts) as failure:
                outcomes.append(failure.code)
            db.session.commit()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(15)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 15 and "account_locked" in outcomes
    with app.app_context():
        assert db.session.get(User, ref.id).locked_until is not None


def test_password_change_and_reset_revoke_bearer_tokens(ctx, admin, make_user):
    ref = make_user("tokened")
    user = db.session.get(User, ref.id)
    _raw, first = services.issue_api_token(user, utcnow())
    services.change_password(user, PASSWORD, "brand-new-secret")
    _raw, second = services.issue_api_token(user, utcnow())
    services.reset_password(db.session.get(User, admin.id), user, "temporary-secret")
    db.session.flush()
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.revoked_at is not None and second.revoked_at is not None


def test_merge_moves_everything_filed_under_the_source(ctx):
    """Outreach events and audiences that name the source follow it (a merge was a foreign
    key error otherwise); an audience already naming the target keeps one row."""
    from lawlearn.outreach.models import OutreachCategory, OutreachEvent
    from lawlearn.quiz.models import QuizAudience
    from lawlearn.sessions.models import SessionAudience
    from tests.outreach.test_ledger import make_event
    from tests.plans.test_kinds import make_plan, make_quiz, make_session

    source = departments.create_department(None, "综合科旧")
    target = departments.create_department(None, "秘书科新")
    category = OutreachCategory(name="法治讲座", seven_into=False, position=20)
    db.session.add(category)
    db.session.flush()
    event = make_event(category, source.id)
    both, only = make_quiz("两个部门"), make_quiz("旧部门")
    db.session.add_all([QuizAudience(quiz_id=both.id, department_id=source.id),
                        QuizAudience(quiz_id=both.id, department_id=target.id),
                        QuizAudience(quiz_id=only.id, department_id=source.id)])
    session = make_session()
    db.session.add(SessionAudience(session_id=session.id, department_id=source.id))
    plan = make_plan(audience_all=False, audience=[{"department_id": source.id}])
    db.session.commit()

    departments.merge_departments(None, db.session.get(Department, source.id),
                                  db.session.get(Department, target.id))
    db.session.commit()
    assert db.session.get(OutreachEvent, event.id).department_id == target.id
    assert sorted((row.quiz_id, row.department_id) for row in db.session.scalars(
        select(QuizAudience))) == [(both.id, target.id), (only.id, target.id)]
    assert [row.department_id for row in db.session.scalars(select(SessionAudience))] \
        == [target.id]
    assert [row.department_id for row in db.session.get(type(plan), plan.id).audience] \
        == [target.id]
    assert db.session.get(Department, source.id) is None


def test_a_joining_day_is_kept_and_changed_as_given(ctx, admin):
    """加入日期: the account's making unless given; a day given is that day's start (local);
    the same day sent again keeps the precise moment; a change is in the log."""
    from datetime import date

    from lawlearn.localtime import day_start, local_day

    actor = db.session.get(User, admin.id)
    before = utcnow()
    made_now = services.create_user(actor, "ivan", PASSWORD,
                                    services.UserFields("伊万", None, {"staff"}))
    came_earlier = services.create_user(actor, "judy", PASSWORD, services.UserFields(
        "朱迪", None, {"staff"}, joined_on=date(2024, 9, 1)))
    assert before <= made_now.joined_at <= utcnow()
    assert came_earlier.joined_at == day_start(date(2024, 9, 1))
    assert came_earlier.created_at >= before  # the account itself was made now

    moment = made_now.joined_at
    services.update_user(actor, made_now, services.UserFields(
        "伊万", None, {"staff"}, joined_on=local_day(moment)))
    assert made_now.joined_at == moment
    services.update_user(actor, made_now, services.UserFields(
        "伊万", None, {"staff"}, joined_on=date(2025, 3, 1)))
    assert made_now.joined_at == day_start(date(2025, 3, 1))
    entry = db.session.scalars(select(AuditEntry).filter_by(action="user.update")).one()
    assert "加入日期" in entry.summary
    assert entry.details["joined_on"] == [local_day(moment).isoformat(), "2025-03-01"]

    tomorrow = local_day(utcnow()) + timedelta(days=1)
    with pytest.raises(ValidationFailed, match="加入日期不能晚于今天") as later:
        services.update_user(actor, made_now, services.UserFields(
            "伊万", None, {"staff"}, joined_on=tomorrow))
    assert later.value.field == "joined_on"
    assert made_now.joined_at == day_start(date(2025, 3, 1))
    with pytest.raises(ValidationFailed, match="加入日期不能晚于今天"):
        services.create_user(actor, "kate", PASSWORD, services.UserFields(
            "凯特", None, {"staff"}, joined_on=tomorrow))


def test_a_department_named_by_a_record_is_not_deleted(ctx):
    """A quiz's audience naming it is a record: deleting would break it (merge moves it)."""
    from lawlearn.errors import Conflict
    from lawlearn.quiz.models import QuizAudience
    from tests.plans.test_kinds import make_quiz

    unit = departments.create_department(None, "综合科")
    section = departments.create_department(None, "文印室", unit.id)
    quiz = make_quiz("综合科测验")
    db.session.add(QuizAudience(quiz_id=quiz.id, department_id=section.id))
    db.session.flush()
    assert departments.deletion_blockers(unit) == ["下设 1 个科室"]
    assert departments.deletion_blockers(section) == [
        "有 1 条测验、学法活动、学习计划或普法活动等记录与之关联"]
    with pytest.raises(Conflict, match="请改用“合并”"):
        departments.delete_department(None, section)
    assert db.session.get(Department, section.id) is not None


def test_every_audited_action_has_a_chinese_label():
    """The audit log shows each action by its label; an action recorded without one would
    show its key (department.delete) in English."""
    import re
    from pathlib import Path

    from lawlearn.accounts.audit import ACTION_LABELS

    package = Path(__file__).resolve().parents[2] / "lawlearn"
    recorded = {match for path in package.rglob("*.py") for match in re.findall(
        r'record_audit\([^,"]*,\s*"([a-z_.]+)"', path.read_text(encoding="utf-8"))}
    assert len(recorded) > 60  # the pattern still finds the calls
    assert recorded - ACTION_LABELS.keys() == set()


def test_a_department_lead_needs_a_department(ctx, admin, make_department):
    from lawlearn.accounts.services import UserFields, create_user, update_user

    section = make_department("法制科")  # before this session writes (SQLite's one writer)
    actor = db.session.get(User, admin.id)
    with pytest.raises(ValidationFailed) as refused:
        create_user(actor, "lead_nowhere", "lead-password",
                    UserFields("无部门", None, {"staff", "dept_lead"}))
    assert (refused.value.field, refused.value.message) == (
        "department_id", "科室负责人须有所属部门，请选择部门。")
    assert db.session.scalar(select(User).filter_by(username="lead_nowhere")) is None
    lead = create_user(actor, "lead_here", "lead-password",
                       UserFields("有部门", section, {"staff", "dept_lead"}))
    with pytest.raises(ValidationFailed):
        update_user(actor, lead, UserFields("有部门", None, {"staff", "dept_lead"}))


def test_the_signed_in_user_has_their_roles_without_loading_role_rows(ctx, make_user,
                                                                        count_queries):
    """security.load_user reads the roles with the user, in one statement; changing them
    afterwards (an admin editing their own account) is seen at once, also after a commit."""
    from lawlearn.security import load_user

    person = make_user("twohats", roles=("staff", "dept_lead"))
    with count_queries.recording() as statements:
        user = load_user(f"{person.id}:{db.session.get(User, person.id).login_nonce}")
        db.session.expunge(user)  # no identity map to lean on below
        assert user.roles == {"staff", "dept_lead"} and user.has_role("dept_lead")
        assert user.studies and not user.is_admin
    assert len(statements) == 2  # the nonce above, then the user with their roles
    db.session.add(user)
    user.roles = {"staff", "admin"}
    db.session.commit()  # expires the user: the roles are read again, not remembered
    assert user.roles == {"staff", "admin"} and user.is_admin
    assert load_user(f"{person.id}:{user.login_nonce}").roles == {"staff", "admin"}
    nobody = db.session.get(User, make_user("noroles").id)
    nobody.roles = set()  # no role left (made before every account had one)
    db.session.commit()
    cookie_id = f"{nobody.id}:{nobody.login_nonce}"
    with count_queries.recording() as statements:
        assert load_user(cookie_id).roles == set()
    assert len(statements) == 1


def test_remembered_roles_are_forgotten_when_the_user_is_expired(ctx, make_user):
    """Roles changed some other way than the setter (rows written directly) are seen after
    the commit, as a loaded attribute would be."""
    from sqlalchemy import delete, insert

    from lawlearn.accounts.models import UserRole
    from lawlearn.security import load_user

    person = make_user("changing", roles=("staff",))
    user = load_user(f"{person.id}:{db.session.get(User, person.id).login_nonce}")
    assert user.roles == {"staff"}
    db.session.execute(delete(UserRole).where(UserRole.user_id == person.id))
    db.session.execute(insert(UserRole).values(user_id=person.id, role="leader"))
    db.session.commit()
    assert user.roles == {"leader"} and not user.studies
