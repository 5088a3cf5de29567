"""The demo ledger's events, as the office would have recorded them: last year's 宪法宣传周,
this year's (before, during or after the week), a 民法典宣传月 in May and one event outside
any campaign. Only data: :mod:`lawlearn.outreach.demo` writes them into the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from lawlearn.outreach.services import MaterialRow

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


def last_year_events(year: int) -> list[DemoEvent]:
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


def this_year_events(year: int, week: tuple[date, date], today: date) -> list[DemoEvent]:
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


def may_events(year: int) -> list[DemoEvent]:
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


def loose_event(day: date) -> DemoEvent:
    """An event outside any campaign."""
    return DemoEvent(
        "防范电信网络诈骗宣传进企业", day, (15, 0), 1.5, "进企业", "审批一科",
        "区经济开发区智能制造产业园", partners="区公安分局",
        other_laws="《中华人民共和国反电信网络诈骗法》、《中华人民共和国个人信息保护法》",
        audiences=("workers",), participants=120, volunteers=2, consultations=15,
        materials=[_m("leaflet", 1, 500, "反诈宣传折页")],
        summary="为产业园企业职工讲解电信网络诈骗常见手法和个人信息保护，现场演示识别诈骗短信。",
        follow_up="产业园将反诈宣传纳入新员工入职培训。")
