"""Demo outreach ledger (普法台账): last year's 宪法宣传周 with its events all verified, this
year's copied from it (before the week: planned drafts; once under way some verified, one
submitted, one draft with an open stall quiz, gaps left on purpose), a 民法典宣传月 in May
and one event outside any campaign.
Photos are drawn here with Pillow and uploaded through :func:`photos.add_photo`, so they
are checked, converted and thumbnailed like real uploads.

Every date is relative to ``now`` (naive UTC; today's local date decides the years), so the
demo makes sense whenever it is loaded, and everything random comes from a seeded ``rng``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lawlearn.accounts.models import AuditEntry, Department, Role, User
from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import Law
from lawlearn.localtime import local_moment, local_zone
from lawlearn.outreach import campaigns, photos, services, stall
from lawlearn.outreach.access import leads_department
from lawlearn.outreach.categories import ensure_categories
from lawlearn.outreach.demo_photos import demo_photo
from lawlearn.outreach.models import Campaign, OutreachEvent, OutreachPhoto, StallQuiz
from lawlearn.outreach.services import EventFields, MaterialRow

CONSTITUTION = "中华人民共和国宪法"
CIVIL_CODE = "中华人民共和国民法典"
CONSTITUTION_WEEK = ("以12月4日国家宪法日为契机，集中开展宪法宣传“七进”活动，推动宪法精神深入人心。"
                     "各科室结合职能至少组织1场活动，活动结束后3个工作日内登记台账、上传现场照片。")
CIVIL_CODE_MONTH = ("以“美好生活·民法典相伴”为主题，围绕婚姻家庭、物业服务、合同订立等群众关心的问题，"
                    "开展民法典集中宣传。")


@dataclass
class DemoEvent:
    """One event of the demo ledger; ``day`` and the local times are filled in by the
    caller, ``status`` is where its workflow stops."""

    title: str
    day: date
    start: tuple[int, int]
    hours: float
    category: str
    section: str
    place: str
    status: str = "verified"
    partners: str = ""
    laws: tuple[str, ...] = ()
    other_laws: str = ""
    audiences: tuple[str, ...] = ("residents",)
    channel: str = "onsite"
    participants: int = 0
    volunteers: int = 0
    consultations: int = 0
    online_views: int = 0
    materials: list[MaterialRow] = field(default_factory=list)
    summary: str = ""
    follow_up: str = ""
    # Photos: (scene, banner text, caption); the first of a featured event goes in the summary.
    photos: tuple[tuple[str, str, str], ...] = ()
    featured: bool = False


def _m(kind: str, kinds: int, copies: int, note: str = "") -> MaterialRow:
    return MaterialRow(kind=kind, kinds=kinds, copies=copies, note=note)


def _last_year_events(year: int) -> list[DemoEvent]:
    """宪法宣传周 of ``year``: eight events over six of the "七进" categories, all verified."""

    def day(d: int) -> date:
        return date(year, 12, d)

    banner = f"{year}年“宪法宣传周”"
    return [
        DemoEvent(
            "宪法宣传周启动仪式暨机关干部宪法集中学习", day(1), (9, 0), 2.5, "进机关", "法制科",
            "区政府三楼会议室", partners="区司法局", laws=(CONSTITUTION,),
            audiences=("officials",), participants=86,
            materials=[_m("handbook", 1, 100, "《中华人民共和国宪法》单行本"),
                       _m("board", 1, 6, "宪法知识展板")],
            summary="区政府办公室组织机关干部集中学习宪法，法制科负责同志领学宪法序言和第一章总纲，"
                    "3名新提任干部进行宪法宣誓，区司法局同志作宪法专题辅导。",
            follow_up="将宪法学习纳入下一年度学法计划，年底前组织宪法知识测试。",
            photos=(("meeting", banner + "启动仪式", "机关干部集中学习宪法"),)),
        DemoEvent(
            "宪法进社区：法律咨询与宣传摊位", day(2), (14, 30), 2.5, "进社区", "综合科",
            "城关街道幸福里社区广场", partners="城关街道办事处、幸福里社区居委会、区司法局",
            laws=(CONSTITUTION, CIVIL_CODE), audiences=("residents",), participants=320,
            volunteers=12, consultations=46,
            materials=[_m("leaflet", 2, 1500, "宪法知识、民法典婚姻家庭编"),
                       _m("handbook", 1, 300, "《民法典与百姓生活》"),
                       _m("banner", 1, 1)],
            summary="在社区广场设置宣传咨询台，向居民发放宣传资料，讲解宪法规定的公民基本权利和义务；"
                    "社区法律顾问现场解答婚姻家庭、物业纠纷、邻里关系等咨询46人次。",
            follow_up="咨询中反映的2件物业纠纷已转交街道人民调解委员会，12月底前回访。",
            photos=(("stall", banner + "宪法进社区", "宣传咨询台"),
                    ("stall", banner + "宪法进社区", "律师解答居民咨询"),
                    ("boards", "宪法进社区", "宪法知识展板")),
            featured=True),
        DemoEvent(
            "宪法进校园：“宪法卫士”法治课", day(3), (10, 0), 1.5, "进学校", "督查科",
            "区实验小学报告厅", partners="区教育局、区实验小学", laws=(CONSTITUTION,),
            audiences=("students",), participants=260, volunteers=4,
            materials=[_m("handbook", 1, 260, "《青少年宪法知识读本》")],
            summary="邀请法治副校长为四至六年级学生讲授宪法知识，学生集体诵读宪法序言，"
                    "开展“宪法知识小问答”，80名学生获得纪念书签。",
            follow_up="与学校商定每学期开展一次法治课，下学期主题为未成年人保护法。",
            photos=(("classroom", "宪法卫士 · 法治课", "法治副校长讲授宪法知识"),)),
        DemoEvent(
            "国家宪法日宪法宣传进乡村暨政务服务下乡", day(4), (9, 0), 3, "进乡村", "审批二科",
            "青山镇柳河村村民广场", partners="青山镇人民政府、柳河村村民委员会",
            laws=(CONSTITUTION, CIVIL_CODE), audiences=("villagers",), participants=180,
            volunteers=8, consultations=32,
            materials=[_m("leaflet", 2, 800, "宪法知识、土地承包与宅基地"),
                       _m("banner", 1, 2), _m("vehicle", 1, 1, "流动宣传车巡回播放")],
            summary="结合“政务服务下乡”，在村民广场设立宣传点，讲解宪法和民法典中土地承包、宅基地、"
                    "赡养扶养等规定，现场代办社保、医保业务12件，解答村民咨询32人次。",
            follow_up="村民反映的宅基地确权问题已告知青山镇政府，由审批二科跟进办理进度。",
            photos=(("stall", banner + "进乡村", "村民广场宣传点"),
                    ("boards", "宪法宣传进乡村", "村民阅读宣传展板")),
            featured=True),
        DemoEvent(
            "“12·4”国家宪法日微信公众号专题推送", day(4), (8, 0), 14, "进网络", "信息科",
            "区政府办公室微信公众号", laws=(CONSTITUTION,),
            audiences=("residents", "officials"), channel="wechat", online_views=5820,
            summary="在微信公众号推送《图解宪法》《宪法修正案要点》等3篇图文，开展线上宪法知识答题，"
                    "阅读量5,820次，留言互动126条。",
            follow_up="在公众号“以案说法”栏目持续更新宪法相关内容。"),
        DemoEvent(
            "宪法进企业：“法治体检”进园区", day(5), (14, 0), 2.5, "进企业", "审批一科",
            "区经济开发区企业服务中心", partners="区工商联、区市场监管局", laws=(CIVIL_CODE,),
            other_laws="《中华人民共和国劳动合同法》", audiences=("workers",), participants=140,
            volunteers=6, consultations=28,
            materials=[_m("handbook", 2, 400, "企业合规指引、劳动用工法律风险提示"),
                       _m("board", 1, 8)],
            summary="为园区企业职工讲解宪法关于劳动者权利的规定和劳动合同法要点，为12家企业提供"
                    "“法治体检”，解答合同订立、劳动用工等咨询28人次。",
            follow_up="对体检中发现的3家企业劳动合同不规范问题，已发放整改提示书。"),
        DemoEvent(
            "宪法宣传进商圈：防范电信网络诈骗宣传", day(6), (10, 0), 3, "进社区", "法制科",
            "万达广场东门", partners="区公安分局、区司法局", laws=(CONSTITUTION,),
            other_laws="《中华人民共和国反电信网络诈骗法》", audiences=("residents", "other"),
            participants=410, volunteers=15, consultations=63,
            materials=[_m("leaflet", 3, 2000, "宪法知识、反诈“十不”、个人信息保护"),
                       _m("banner", 1, 2), _m("board", 1, 10)],
            summary="联合公安分局在商圈开展宪法宣传和反诈宣传，现场指导群众下载“国家反诈中心”App"
                    "210余人次，解答咨询63人次。",
            follow_up="与公安分局约定每季度在商圈开展一次联合宣传。",
            photos=(("stall", "宪法宣传进商圈 · 防范电信网络诈骗", "反诈宣传现场"),
                    ("boards", "防范电信网络诈骗", "反诈知识展板"))),
        DemoEvent(
            "宪法宣传周微视频展播", day(7), (9, 0), 12, "进网络", "信息科",
            "区政府办公室视频号", laws=(CONSTITUTION,), audiences=("residents", "officials"),
            channel="video", online_views=12340,
            summary="在视频号展播《宪法伴我们成长》等5部普法微视频，累计播放12,340次，点赞860次。",
            follow_up="优秀微视频推荐参加市级普法作品评选。"),
    ]


def _this_year_events(year: int, week: tuple[date, date], today: date) -> list[DemoEvent]:
    """This year's 宪法宣传周, every event inside the week: dated back from today (or from
    the week's last day once it is over, or before it starts), never before its first day.
    Once under way three are verified, one submitted, today's a draft; an event that has not
    ended yet is loaded as a planned draft (see :meth:`_Ledger.add`). 进乡村, 进企业 and 进军营
    and the 政务服务中心 are left without reported events: the dashboard's gaps."""
    first, last = week
    anchor = today if first <= today <= last else last

    def back(days: int) -> date:
        return max(first, anchor - timedelta(days=days))

    banner = f"{year}年“宪法宣传周”"
    return [
        DemoEvent(
            "宪法宣传周启动暨“宪法进机关”集中学习", back(6), (9, 0), 2, "进机关", "法制科",
            "区政府三楼会议室", partners="区司法局", laws=(CONSTITUTION,),
            audiences=("officials",), participants=92,
            materials=[_m("handbook", 1, 120, "《中华人民共和国宪法》单行本")],
            summary="区政府办公室召开宪法宣传周启动会，部署各科室宣传任务，组织机关干部集中学习宪法"
                    "第二章“公民的基本权利和义务”。",
            follow_up="各科室按分工于宣传周内完成“七进”活动并及时登记台账。",
            photos=(("meeting", banner + "启动会", "宪法宣传周启动会"),)),
        DemoEvent(
            "宪法进社区：宪法宣传咨询摊位", back(4), (14, 30), 2.5, "进社区", "综合科",
            "城关街道幸福里社区广场", partners="城关街道办事处、幸福里社区居委会",
            laws=(CONSTITUTION, CIVIL_CODE), audiences=("residents",), participants=280,
            volunteers=10, consultations=38,
            materials=[_m("leaflet", 2, 1500, "宪法知识、民法典物业服务合同"),
                       _m("handbook", 1, 200), _m("banner", 1, 1)],
            summary="在社区广场设置宣传咨询台，发放宣传资料，社区法律顾问解答物业服务、继承等咨询"
                    "38人次。",
            follow_up="居民反映的小区停车位纠纷已转社区人民调解委员会调处。",
            photos=(("stall", banner + "宪法进社区", "宣传咨询台"),
                    ("boards", "宪法进社区", "居民阅读宪法展板")),
            featured=True),
        DemoEvent(
            "“宪法在身边”微信公众号专题推送", back(3), (8, 0), 14, "进网络", "信息科",
            "区政府办公室微信公众号", laws=(CONSTITUTION,), audiences=("residents", "officials"),
            channel="wechat", online_views=3260,
            summary="推送“宪法在身边”系列图文2篇，阅读量3,260次。",
            follow_up="宣传周期间每日推送一期宪法小知识。"),
        DemoEvent(
            "宪法进校园：中学生宪法知识讲座", back(1), (15, 0), 1.5, "进学校", "督查科",
            "区第二中学报告厅", partners="区教育局、区第二中学", laws=(CONSTITUTION,),
            audiences=("students",), participants=230, volunteers=3, status="submitted",
            materials=[_m("handbook", 1, 230, "《青少年宪法知识读本》")],
            summary="为初二年级学生讲授宪法知识，结合校园欺凌案例讲解公民的基本权利和义务。",
            follow_up="讲座课件已提供给学校，供各班开展主题班会使用。",
            photos=(("classroom", "宪法进校园 · 中学生宪法知识讲座", "宪法知识讲座"),)),
        DemoEvent(
            "宪法进企业：政务服务进园区有奖问答", back(0), (9, 30), 2, "进企业", "审批一科",
            "区经济开发区企业服务中心", partners="区工商联", laws=(CONSTITUTION,),
            audiences=("workers",), participants=60, volunteers=5, status="draft",
            materials=[_m("leaflet", 1, 300, "宪法知识问答")],
            summary="在园区企业服务中心设置宣传点，组织企业职工扫码参加宪法知识有奖问答。",
            photos=(("stall", banner + "进企业 · 有奖问答", "扫码参加有奖问答"),)),
    ]


def _may_events(year: int) -> list[DemoEvent]:
    return [
        DemoEvent(
            "民法典进机关专题讲座：合同编与行政协议", date(year, 5, 20), (14, 30), 2, "进机关",
            "法制科", "区行政中心报告厅", partners="区人民法院", laws=(CIVIL_CODE,),
            audiences=("officials",), participants=75,
            summary="邀请区人民法院法官讲解民法典合同编与行政协议的关系，结合政府采购、"
                    "招商引资合同审查实务答疑。",
            follow_up="将讲座中提到的合同审查要点纳入合法性审查工作指引。"),
        DemoEvent(
            "“美好生活·民法典相伴”进社区宣传", date(year, 5, 28), (9, 0), 2.5, "进社区", "审批二科",
            "东湖街道文化广场", partners="东湖街道办事处", laws=(CIVIL_CODE,),
            audiences=("residents",), participants=190, volunteers=6, consultations=25,
            materials=[_m("leaflet", 2, 1000, "婚姻家庭编、继承编"), _m("handbook", 1, 150)],
            summary="在文化广场开展民法典宣传，结合政务服务讲解婚姻登记、遗产继承等办事流程，"
                    "解答咨询25人次。",
            follow_up="整理群众常问的10个问题，制作政务服务大厅民法典问答展板。",
            photos=(("stall", "美好生活 · 民法典相伴", "民法典宣传现场"),)),
    ]


def _loose_event(day: date) -> DemoEvent:
    """An event outside any campaign."""
    return DemoEvent(
        "防范电信网络诈骗宣传进企业", day, (15, 0), 1.5, "进企业", "审批一科",
        "区经济开发区智能制造产业园", partners="区公安分局",
        other_laws="《中华人民共和国反电信网络诈骗法》、《中华人民共和国个人信息保护法》",
        audiences=("workers",), participants=120, volunteers=2, consultations=15,
        materials=[_m("leaflet", 1, 500, "反诈宣传折页")],
        summary="为产业园企业职工讲解电信网络诈骗常见手法和个人信息保护，现场演示识别诈骗短信。",
        follow_up="产业园将反诈宣传纳入新员工入职培训。")


# --- loading -------------------------------------------------------------------------------------


class _Ledger:
    """What the loader needs: people, departments, categories and laws, looked up once."""

    def __init__(self, now: datetime, rng: random.Random) -> None:
        self.now, self.rng = now, rng
        self.zone = local_zone()
        people = list(db.session.scalars(
            select(User).where(User.active.is_(True)).options(selectinload(User.role_rows))
            .order_by(User.username)))
        self.admin = next((u for u in people if u.username == "admin"), None) or \
            next((u for u in people if u.is_admin), None)
        self.people = people
        self.departments = {d.name: d for d in db.session.scalars(select(Department))}
        self.categories = {c.name: c for c in ensure_categories()}
        self.laws = {law.title: law for law in db.session.scalars(
            select(Law).where(Law.title.in_([CONSTITUTION, CIVIL_CODE]),
                              Law.is_current.is_(True)).order_by(Law.id))}
        self.photos = 0

    def utc(self, day: date, at: tuple[int, int]) -> datetime:
        local = datetime.combine(day, time(*at), tzinfo=self.zone)
        return local.astimezone(UTC).replace(tzinfo=None)

    def local(self, moment: datetime) -> datetime:
        return local_moment(moment)

    def clock(self, moment: datetime) -> datetime:
        """Workflow times never run ahead of ``now``."""
        return min(moment, self.now)

    def author(self, department: Department) -> User:
        """The first ordinary staff member of the section (the lead submits), else the admin."""
        assert self.admin is not None  # nosec B101 - narrows the type; demo only
        return next((u for u in self.people if u.department_id == department.id
                     and not u.has_role(Role.ADMIN, Role.LEADER, Role.DEPT_LEAD)), self.admin)

    def submitter(self, event: OutreachEvent) -> User:
        assert self.admin is not None  # nosec B101 - narrows the type; demo only
        return next((u for u in self.people
                     if leads_department(u, event.department)), self.admin)

    def add(self, item: DemoEvent, campaign: Campaign | None) -> OutreachEvent:
        assert self.admin is not None  # nosec B101 - narrows the type; demo only
        department = self.departments.get(item.section) or self.admin.department
        if department is None:
            department = next(iter(self.departments.values()))
        author = self.author(department)
        starts_at = self.utc(item.day, item.start)
        ends_at = starts_at + timedelta(hours=item.hours)
        law_ids = [self.laws[t].id for t in item.laws if t in self.laws]
        # A law the library lacks is written out, as staff would.
        missing = "、".join(f"《{t}》" for t in item.laws if t not in self.laws)
        other_laws = "、".join(text for text in (missing, item.other_laws) if text)
        fields = EventFields(
            title=item.title, starts_at=starts_at, ends_at=ends_at,
            category_id=self.categories[item.category].id, department_id=department.id,
            place=item.place, campaign_id=campaign.id if campaign else None,
            partner_units=item.partners, law_ids=law_ids, other_laws=other_laws,
            audiences=list(item.audiences), channel=item.channel,
            participants=item.participants, volunteers=item.volunteers,
            consultations=item.consultations, online_views=item.online_views,
            materials=list(item.materials), summary=item.summary, follow_up=item.follow_up)
        # Not begun yet: a planned draft without photos; not over yet: still a draft.
        planned = starts_at > self.now
        logged = self.clock(starts_at - timedelta(days=3) if planned
                            else ends_at + timedelta(hours=2))
        event = services.create_event(author, fields, logged)
        for number, (scene, banner, caption) in enumerate(() if planned else item.photos):
            captured = self.local(starts_at) + timedelta(minutes=10 + number * 25
                                                         + self.rng.randint(0, 9))
            if captured.astimezone(UTC).replace(tzinfo=None) > self.now:
                break  # no photo from the future
            data = demo_photo(banner, scene, captured, self.rng)
            name = captured.strftime("IMG_%Y%m%d_%H%M%S.jpg")
            photo = photos.add_photo(author, event, name, data, logged)
            photo.caption = caption
            self.photos += 1
            if item.featured and number == 0:
                photos.set_featured(self.admin, photo, True)
        if ends_at > self.now:
            return event
        if item.status in ("submitted", "verified"):
            services.submit_event(self.submitter(event), event,
                                  self.clock(ends_at + timedelta(hours=20)))
        if item.status == "verified":
            services.verify_event(self.admin, event, self.clock(ends_at + timedelta(days=2)))
        return event

    def stall_quiz(self, event: OutreachEvent, entries: int) -> int:
        """Open the event's stall quiz and let ``entries`` phones answer it; the number of
        entries made (none when the bank lacks questions)."""
        if event.starts_at >= self.now:
            return 0  # not begun: no quiz yet, and no answers from the future
        opened_at = event.starts_at
        try:
            quiz = stall.open_stall_quiz(self.admin, event, now=opened_at, count=5,
                                         rng=self.rng)
        except ValidationFailed:
            return 0
        secret = str(current_app.secret_key or "demo")
        made = 0
        for number in range(entries):
            answers: dict[str, object] = {}
            for qid, snapshot in zip(quiz.question_ids, quiz.snapshots, strict=True):
                right = self.rng.random() < 0.8
                if snapshot["type"] == "true_false":
                    answers[str(qid)] = snapshot["answer"] if right else not snapshot["answer"]
                else:
                    keys = [option["key"] for option in snapshot["options"]]
                    wrong = [key for key in keys if key != snapshot["answer"]] or keys
                    answers[str(qid)] = snapshot["answer"] if right else self.rng.choice(wrong)
            # Between the quiz's opening and now: spread out if it opened only minutes ago.
            at = opened_at + min(timedelta(minutes=15 + number * 7),
                                 (self.now - opened_at) * (number + 1) / (entries + 1))
            key = stall.device_key(secret, f"demo-phone-{number}-{self.rng.random()}")
            _entry, new = stall.submit_entry(quiz, answers, key, None, at)
            made += int(new)
        return made


def _date_audit_entries(after_id: int) -> None:
    """Give the audit entries the demo wrote the times of what they record (the services
    stamp them with the clock), so an event's history reads as it happened."""
    entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.id > after_id)))
    ids: dict[str, set[int]] = {}
    for entry in entries:
        ids.setdefault(entry.target_type, set()).add(entry.target_id or 0)
    events = {e.id: e for e in db.session.scalars(select(OutreachEvent).where(
        OutreachEvent.id.in_(ids.get(OutreachEvent.__tablename__, set()))))}
    uploads = {photo_id: at for photo_id, at in db.session.execute(
        select(OutreachPhoto.id, OutreachPhoto.uploaded_at).where(
            OutreachPhoto.event_id.in_(list(events))))}
    created = {**{(Campaign.__tablename__, c.id): c.created_at for c in db.session.scalars(
        select(Campaign).where(Campaign.id.in_(ids.get(Campaign.__tablename__, set()))))},
               **{(StallQuiz.__tablename__, q.id): q.created_at for q in db.session.scalars(
                   select(StallQuiz).where(StallQuiz.id.in_(ids.get(StallQuiz.__tablename__,
                                                                    set()))))}}
    for entry in entries:
        event = events.get(entry.target_id or 0) \
            if entry.target_type == OutreachEvent.__tablename__ else None
        when = created.get((entry.target_type, entry.target_id or 0))
        if event is not None:
            reviewed = event.verified_at or event.submitted_at or event.created_at
            when = {"outreach.event.create": event.created_at,
                    "outreach.event.submit": event.submitted_at,
                    "outreach.event.verify": event.verified_at,
                    "outreach.photo.add": uploads.get((entry.details or {}).get("photo_id")),
                    "outreach.photo.feature": reviewed - timedelta(minutes=5)}.get(entry.action)
        if when is not None:
            entry.at = when


def load_outreach_demo(now: datetime | None = None,
                       rng: random.Random | None = None) -> dict[str, int]:
    """Create the demo ledger; ``now`` (naive UTC) decides every date. Needs the demo
    office's people and departments (:func:`lawlearn.demo.load_demo` makes them first)."""
    now = now or utcnow()
    rng = rng or random.Random(1204)  # nosec B311 - repeatable demo data
    ledger = _Ledger(now, rng)
    audited = db.session.scalar(select(func.max(AuditEntry.id))) or 0
    if ledger.admin is None:
        return {"outreach_events": 0, "campaigns": 0, "outreach_photos": 0}
    today = ledger.local(now).date()
    year = today.year
    events = 0

    last = campaigns.create_campaign(ledger.admin, campaigns.CampaignFields(
        title=f"{year - 1}年宪法宣传周", starts_on=date(year - 1, 12, 1),
        ends_on=date(year - 1, 12, 7), description=CONSTITUTION_WEEK,
        targets={"events": 8, "participants": 1200, "materials": 5000, "departments": 2,
                 "categories": 5}), ledger.clock(ledger.utc(date(year - 1, 11, 20), (10, 0))))
    for item in _last_year_events(year - 1):
        ledger.add(item, last)
        events += 1

    # 民法典宣传月: the latest May that is over (last year's before June).
    may_year = year if today >= date(year, 6, 1) else year - 1
    month = campaigns.create_campaign(ledger.admin, campaigns.CampaignFields(
        title=f"{may_year}年民法典宣传月", starts_on=date(may_year, 5, 1),
        ends_on=date(may_year, 5, 31), description=CIVIL_CODE_MONTH,
        targets={"events": 4, "participants": 600, "materials": 2000, "departments": 2,
                 "categories": 3}), ledger.utc(date(may_year, 4, 25), (10, 0)))
    for item in _may_events(may_year):
        ledger.add(item, month)
        events += 1
    ledger.add(_loose_event(today - timedelta(days=45)), None)
    events += 1

    current = campaigns.copy_campaign(
        ledger.admin, last, ledger.clock(ledger.utc(date(year, 11, 10), (9, 0))))
    stall_entries = 0
    for item in _this_year_events(year, (current.starts_on, current.ends_on), today):
        event = ledger.add(item, current)
        events += 1
        if item.status == "draft" and event.status == "draft":
            stall_entries = ledger.stall_quiz(event, 4)
    db.session.flush()
    _date_audit_entries(audited)
    db.session.flush()
    return {"outreach_events": events, "campaigns": 3, "outreach_photos": ledger.photos,
            "stall_entries": stall_entries}
