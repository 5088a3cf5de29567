"""Demo question bank written for lawlearn.

These questions were written for this project (not copied from any published question bank)
and checked against the official texts of the 宪法 (2018), 民法典, 政府信息公开条例 (2019) and
重大行政决策程序暂行条例 (2019). Each question cites exactly one article as "<law> <number>",
e.g. "宪法 33" or "政府信息公开条例 33", using the short law names in ``LAW_NAMES``.

Question shape (the same as the question bank's):

- ``type``: "single" | "multiple" | "true_false" | "fill"
- ``stem``: question text; a fill-in question has one "（　　）" per blank
- ``options``: option texts without letter prefixes (2–8) for single/multiple, [] otherwise
- ``answer``: single "B"; multiple ["A", "C"] (sorted, at least two); true_false True/False;
  fill one list of accepted alternatives per blank, e.g. [["二十", "20"]]
- ``explanation``, ``tags``, ``difficulty`` ("easy" | "medium" | "hard"), ``article``
"""

from __future__ import annotations

import re
from typing import Any

LAW_NAMES = ("宪法", "民法典", "政府信息公开条例", "重大行政决策程序暂行条例")
QUESTION_TYPES = ("single", "multiple", "true_false", "fill")
DIFFICULTIES = ("easy", "medium", "hard")
OPTION_KEYS = "ABCDEFGH"
MIN_OPTIONS, MAX_OPTIONS = 2, 8
BLANK = "（　　）"
ARTICLE_RE = re.compile(r"^(宪法|民法典|政府信息公开条例|重大行政决策程序暂行条例) [0-9]+$")
KEYS = {"type", "stem", "options", "answer", "explanation", "tags", "difficulty", "article"}
# An option that starts with its own letter ("A. ", "B、", "(C)") would show the letter twice.
_LETTER_PREFIX = re.compile(r"^\s*[(（]?[A-Ha-hＡ-Ｈ]\s*[.．、:：)）]")

DEMO_QUESTIONS: list[dict[str, Any]] = [
    # 宪法（2018年修正）
    {
        "type": "single",
        "stem": "根据宪法，人民行使国家权力的机关是（　　）。",
        "options": [
            "全国人民代表大会和地方各级人民代表大会",
            "国务院和地方各级人民政府",
            "中国人民政治协商会议全国委员会和地方委员会",
            "各级监察委员会",
        ],
        "answer": "A",
        "explanation": (
            "宪法第二条规定，中华人民共和国的一切权力属于人民；"
            "人民行使国家权力的机关是全国人民代表大会和地方各级人民代表大会。"
        ),
        "tags": ["宪法", "国家机构"],
        "difficulty": "easy",
        "article": "宪法 2",
    },
    {
        "type": "single",
        "stem": "根据宪法，中华人民共和国公民享有选举权和被选举权的年龄条件是（　　）。",
        "options": ["年满十六周岁", "年满十八周岁", "年满二十周岁", "年满二十二周岁"],
        "answer": "B",
        "explanation": (
            "宪法第三十四条规定，年满十八周岁的公民，不分民族、种族、性别、职业、家庭出身、宗教信仰、"
            "教育程度、财产状况、居住期限，都有选举权和被选举权；但是依照法律被剥夺政治权利的人除外。"
        ),
        "tags": ["宪法", "公民基本权利"],
        "difficulty": "easy",
        "article": "宪法 34",
    },
    {
        "type": "single",
        "stem": "根据宪法，任何公民，非经（　　）批准或者决定或者人民法院决定，并由公安机关执行，不受逮捕。",
        "options": ["公安机关", "监察委员会", "人民检察院", "司法行政机关"],
        "answer": "C",
        "explanation": (
            "宪法第三十七条规定，公民的人身自由不受侵犯；任何公民，"
            "非经人民检察院批准或者决定或者人民法院决定，并由公安机关执行，不受逮捕。"
            "公安机关是逮捕的执行机关，不能自行批准逮捕。"
        ),
        "tags": ["宪法", "公民基本权利"],
        "difficulty": "medium",
        "article": "宪法 37",
    },
    {
        "type": "single",
        "stem": "根据宪法，行使解释宪法职权的机关是（　　）。",
        "options": ["全国人民代表大会", "全国人民代表大会常务委员会", "最高人民法院", "国务院"],
        "answer": "B",
        "explanation": (
            "宪法第六十七条规定，全国人民代表大会常务委员会行使解释宪法、监督宪法的实施、解释法律等职权。"
            "修改宪法则是全国人民代表大会的职权。"
        ),
        "tags": ["宪法", "国家机构"],
        "difficulty": "medium",
        "article": "宪法 67",
    },
    {
        "type": "single",
        "stem": "根据宪法，宪法的修改由全国人民代表大会以（　　）通过。",
        "options": [
            "全体代表的过半数",
            "出席会议代表的三分之二以上的多数",
            "全体代表的三分之二以上的多数",
            "全体代表的四分之三以上的多数",
        ],
        "answer": "C",
        "explanation": (
            "宪法第六十四条规定，宪法的修改，由全国人民代表大会常务委员会或者五分之一以上的"
            "全国人民代表大会代表提议，并由全国人民代表大会以全体代表的三分之二以上的多数通过；"
            "法律和其他议案由全体代表的过半数通过。"
        ),
        "tags": ["宪法", "宪法修改"],
        "difficulty": "medium",
        "article": "宪法 64",
    },
    {
        "type": "single",
        "stem": "根据宪法，中华人民共和国国务院，即中央人民政府，是最高国家权力机关的执行机关，是（　　）。",
        "options": ["最高国家权力机关", "最高国家监察机关", "国家立法机关", "最高国家行政机关"],
        "answer": "D",
        "explanation": (
            "宪法第八十五条规定，国务院即中央人民政府，是最高国家权力机关的执行机关，是最高国家行政机关。"
            "最高国家权力机关是全国人民代表大会。"
        ),
        "tags": ["宪法", "国家机构"],
        "difficulty": "easy",
        "article": "宪法 85",
    },
    {
        "type": "single",
        "stem": "根据宪法，地方各级监察委员会对（　　）负责。",
        "options": [
            "本级人民政府",
            "产生它的国家权力机关和上一级监察委员会",
            "上一级人民检察院",
            "本级人民政府和上一级监察委员会",
        ],
        "answer": "B",
        "explanation": (
            "宪法第一百二十六条规定，国家监察委员会对全国人民代表大会和全国人民代表大会常务委员会负责；"
            "地方各级监察委员会对产生它的国家权力机关和上一级监察委员会负责。"
        ),
        "tags": ["宪法", "国家机构", "监察"],
        "difficulty": "hard",
        "article": "宪法 126",
    },
    {
        "type": "single",
        "stem": "根据宪法，区人民政府的区长、副区长由（　　）选举并且有权罢免。",
        "options": ["本级人民代表大会", "本级人民代表大会常务委员会", "上一级人民政府", "区人民政府全体会议"],
        "answer": "A",
        "explanation": (
            "宪法第一百零一条规定，地方各级人民代表大会分别选举并且有权罢免本级人民政府的省长和副省长、"
            "市长和副市长、县长和副县长、区长和副区长、乡长和副乡长、镇长和副镇长。"
        ),
        "tags": ["宪法", "国家机构"],
        "difficulty": "medium",
        "article": "宪法 101",
    },
    {
        "type": "single",
        "stem": "根据宪法，中华人民共和国人民检察院是国家的（　　）。",
        "options": ["审判机关", "行政执法机关", "监察机关", "法律监督机关"],
        "answer": "D",
        "explanation": (
            "宪法第一百三十四条规定，中华人民共和国人民检察院是国家的法律监督机关。人民法院是国家的"
            "审判机关，监察委员会是国家的监察机关。"
        ),
        "tags": ["宪法", "国家机构"],
        "difficulty": "easy",
        "article": "宪法 134",
    },
    {
        "type": "multiple",
        "stem": "根据宪法第三十五条，中华人民共和国公民享有下列哪些自由？（　　）",
        "options": ["迁徙的自由", "言论、出版的自由", "集会、结社的自由", "游行、示威的自由"],
        "answer": ["B", "C", "D"],
        "explanation": (
            "宪法第三十五条规定，中华人民共和国公民有言论、出版、集会、结社、游行、示威的自由。"
            "迁徙自由不在该条列举之列，现行宪法也没有作出规定。"
        ),
        "tags": ["宪法", "公民基本权利"],
        "difficulty": "medium",
        "article": "宪法 35",
    },
    {
        "type": "multiple",
        "stem": "根据宪法，区人民政府应当对下列哪些机关负责并报告工作？（　　）",
        "options": [
            "本级人民代表大会",
            "在本级人民代表大会闭会期间，本级人民代表大会常务委员会",
            "上一级国家行政机关",
            "本级人民法院",
        ],
        "answer": ["A", "B", "C"],
        "explanation": (
            "宪法第一百一十条规定，地方各级人民政府对本级人民代表大会负责并报告工作，"
            "县级以上的地方各级人民政府在本级人民代表大会闭会期间对本级人民代表大会常务委员会负责并报告工作；"
            "地方各级人民政府还对上一级国家行政机关负责并报告工作。"
        ),
        "tags": ["宪法", "国家机构"],
        "difficulty": "medium",
        "article": "宪法 110",
    },
    {
        "type": "multiple",
        "stem": "根据宪法第三十三条，下列说法正确的有（　　）。",
        "options": [
            "凡具有中华人民共和国国籍的人都是中华人民共和国公民",
            "公民享有宪法和法律规定的权利，但履行义务以本人自愿为前提",
            "中华人民共和国公民在法律面前一律平等",
            "国家尊重和保障人权",
        ],
        "answer": ["A", "C", "D"],
        "explanation": (
            "宪法第三十三条规定，凡具有中华人民共和国国籍的人都是中华人民共和国公民；公民在法律面前一律平等；"
            "国家尊重和保障人权；任何公民享有宪法和法律规定的权利，同时必须履行宪法和法律规定的义务。"
        ),
        "tags": ["宪法", "公民基本权利"],
        "difficulty": "easy",
        "article": "宪法 33",
    },
    {
        "type": "multiple",
        "stem": "根据宪法第四十一条，公民对于国家机关和国家工作人员享有的权利包括（　　）。",
        "options": [
            "对任何国家机关和国家工作人员提出批评和建议",
            "对其违法失职行为向有关国家机关提出申诉、控告或者检举",
            "为引起重视，在检举时适当夸大事实",
            "因国家机关和国家工作人员侵犯公民权利而受到损失的，依照法律规定取得赔偿",
        ],
        "answer": ["A", "B", "D"],
        "explanation": (
            "宪法第四十一条规定，公民有提出批评和建议的权利，对违法失职行为有提出申诉、控告或者检举的权利，"
            "但是不得捏造或者歪曲事实进行诬告陷害；因国家机关和国家工作人员侵犯公民权利而受到损失的人，"
            "有依照法律规定取得赔偿的权利。"
        ),
        "tags": ["宪法", "公民基本权利"],
        "difficulty": "medium",
        "article": "宪法 41",
    },
    {
        "type": "multiple",
        "stem": "根据宪法第六十二条，下列属于全国人民代表大会职权的有（　　）。",
        "options": ["修改宪法", "决定特赦", "监督宪法的实施", "解释法律", "选举中华人民共和国主席、副主席"],
        "answer": ["A", "C", "E"],
        "explanation": (
            "宪法第六十二条规定，全国人民代表大会行使修改宪法、监督宪法的实施、"
            "选举中华人民共和国主席和副主席等职权。决定特赦、"
            "解释法律是第六十七条规定的全国人民代表大会常务委员会的职权。"
        ),
        "tags": ["宪法", "国家机构"],
        "difficulty": "hard",
        "article": "宪法 62",
    },
    {
        "type": "true_false",
        "stem": "根据宪法，国家工作人员就职时应当依照法律规定公开进行宪法宣誓。",
        "options": [],
        "answer": True,
        "explanation": "宪法第二十七条第三款规定，国家工作人员就职时应当依照法律规定公开进行宪法宣誓。",
        "tags": ["宪法", "宪法宣誓"],
        "difficulty": "easy",
        "article": "宪法 27",
    },
    {
        "type": "true_false",
        "stem": (
            "公民在行使自由和权利的时候，不得损害国家的、社会的、集体的利益和其他公民的合法的自由和权利。"
        ),
        "options": [],
        "answer": True,
        "explanation": (
            "宪法第五十一条作了这样的规定：公民的自由和权利不是绝对的，行使时不得损害国家的、社会的、"
            "集体的利益和其他公民的合法的自由和权利。"
        ),
        "tags": ["宪法", "公民基本权利"],
        "difficulty": "easy",
        "article": "宪法 51",
    },
    {
        "type": "true_false",
        "stem": "根据宪法，人民法院审理案件，除法律规定的特别情况外，一律公开进行。",
        "options": [],
        "answer": True,
        "explanation": (
            "宪法第一百三十条规定，人民法院审理案件，除法律规定的特别情况外，一律公开进行；"
            "被告人有权获得辩护。"
        ),
        "tags": ["宪法", "国家机构"],
        "difficulty": "easy",
        "article": "宪法 130",
    },
    {
        "type": "true_false",
        "stem": "国家为了公共利益的需要，可以依照法律规定对公民的私有财产实行征收或者征用，且不必给予补偿。",
        "options": [],
        "answer": False,
        "explanation": (
            "宪法第十三条规定，国家为了公共利益的需要，"
            "可以依照法律规定对公民的私有财产实行征收或者征用并给予补偿。征收、征用都必须给予补偿。"
        ),
        "tags": ["宪法", "公民基本权利"],
        "difficulty": "medium",
        "article": "宪法 13",
    },
    {
        "type": "true_false",
        "stem": "为调查一般的行政违法行为，行政机关可以检查公民的通信。",
        "options": [],
        "answer": False,
        "explanation": (
            "宪法第四十条规定，除因国家安全或者追查刑事犯罪的需要，"
            "由公安机关或者检察机关依照法律规定的程序对通信进行检查外，"
            "任何组织或者个人不得以任何理由侵犯公民的通信自由和通信秘密。"
        ),
        "tags": ["宪法", "公民基本权利"],
        "difficulty": "medium",
        "article": "宪法 40",
    },
    {
        "type": "true_false",
        "stem": "根据宪法，区人民代表大会每届任期三年。",
        "options": [],
        "answer": False,
        "explanation": "宪法第九十八条规定，地方各级人民代表大会每届任期五年，区人民代表大会也不例外。",
        "tags": ["宪法", "国家机构"],
        "difficulty": "easy",
        "article": "宪法 98",
    },
    {
        "type": "fill",
        "stem": "中华人民共和国实行（　　），建设社会主义法治国家。",
        "options": [],
        "answer": [["依法治国"]],
        "explanation": "宪法第五条第一款规定，中华人民共和国实行依法治国，建设社会主义法治国家。",
        "tags": ["宪法", "依法治国"],
        "difficulty": "easy",
        "article": "宪法 5",
    },
    {
        "type": "fill",
        "stem": (
            "社会主义制度是中华人民共和国的（　　）制度。中国共产党领导是中国特色社会主义最（　　）的特征。"
        ),
        "options": [],
        "answer": [["根本"], ["本质"]],
        "explanation": (
            "宪法第一条第二款规定，社会主义制度是中华人民共和国的根本制度；"
            "中国共产党领导是中国特色社会主义最本质的特征；禁止任何组织或者个人破坏社会主义制度。"
        ),
        "tags": ["宪法", "总纲"],
        "difficulty": "medium",
        "article": "宪法 1",
    },
    {
        "type": "fill",
        "stem": "中华人民共和国的国家机构实行（　　）的原则。",
        "options": [],
        "answer": [["民主集中制"]],
        "explanation": "宪法第三条第一款规定，中华人民共和国的国家机构实行民主集中制的原则。",
        "tags": ["宪法", "国家机构"],
        "difficulty": "easy",
        "article": "宪法 3",
    },
    {
        "type": "fill",
        "stem": (
            "有选举权和被选举权的年满（　　）周岁的中华人民共和国公民可以被选为中华人民共和国主席、副主席。"
        ),
        "options": [],
        "answer": [["四十五", "45"]],
        "explanation": (
            "宪法第七十九条第二款规定，有选举权和被选举权的年满四十五周岁的中华人民共和国公民可以被选为"
            "中华人民共和国主席、副主席。"
        ),
        "tags": ["宪法", "国家机构"],
        "difficulty": "medium",
        "article": "宪法 79",
    },

    # 民法典
    {
        "type": "single",
        "stem": "智力发育正常的九周岁小学生小明，依照民法典属于（　　）。",
        "options": ["完全民事行为能力人", "限制民事行为能力人", "无民事行为能力人", "不具有民事权利能力的人"],
        "answer": "B",
        "explanation": (
            "民法典第十九条规定，八周岁以上的未成年人为限制民事行为能力人，"
            "实施民事法律行为由其法定代理人代理或者经其同意、追认，"
            "但可以独立实施纯获利益的民事法律行为或者与其年龄、智力相适应的民事法律行为。"
        ),
        "tags": ["民法典", "民事行为能力"],
        "difficulty": "easy",
        "article": "民法典 19",
    },
    {
        "type": "single",
        "stem": "十七周岁的小李已参加工作，以自己的劳动收入为主要生活来源。依照民法典，小李（　　）。",
        "options": [
            "仍为限制民事行为能力人",
            "为无民事行为能力人",
            "视为完全民事行为能力人",
            "须经人民法院认定后才具有完全民事行为能力",
        ],
        "answer": "C",
        "explanation": (
            "民法典第十八条第二款规定，十六周岁以上的未成年人，以自己的劳动收入为主要生活来源的，"
            "视为完全民事行为能力人，无需经人民法院认定。"
        ),
        "tags": ["民法典", "民事行为能力"],
        "difficulty": "medium",
        "article": "民法典 18",
    },
    {
        "type": "single",
        "stem": "在诉讼时效期间的最后（　　）内，因不可抗力等障碍不能行使请求权的，诉讼时效中止。",
        "options": ["一个月", "三个月", "六个月", "一年"],
        "answer": "C",
        "explanation": (
            "民法典第一百九十四条规定，在诉讼时效期间的最后六个月内，因不可抗力等障碍不能行使请求权的，"
            "诉讼时效中止；自中止时效的原因消除之日起满六个月，诉讼时效期间届满。"
        ),
        "tags": ["民法典", "诉讼时效"],
        "difficulty": "hard",
        "article": "民法典 194",
    },
    {
        "type": "single",
        "stem": "未成年人的父母均已死亡，下列有监护能力的人中，应当首先担任其监护人的是（　　）。",
        "options": ["祖父母、外祖父母", "兄、姐", "愿意担任监护人的其他亲友", "未成年人住所地的居民委员会"],
        "answer": "A",
        "explanation": (
            "民法典第二十七条规定，未成年人的父母已经死亡或者没有监护能力的，由有监护能力的"
            "祖父母、外祖父母，兄、姐，其他愿意担任监护人的个人或者组织按顺序担任监护人；"
            "最后一类须经未成年人住所地的居民委员会、村民委员会或者民政部门同意。"
        ),
        "tags": ["民法典", "监护"],
        "difficulty": "medium",
        "article": "民法典 27",
    },
    {
        "type": "single",
        "stem": (
            "没有依法具有监护资格的人的，监护人由（　　）担任，"
            "也可以由具备履行监护职责条件的被监护人住所地的居民委员会、村民委员会担任。"
        ),
        "options": ["公安机关", "人民法院", "教育行政部门", "民政部门"],
        "answer": "D",
        "explanation": (
            "民法典第三十二条规定，没有依法具有监护资格的人的，监护人由民政部门担任，"
            "也可以由具备履行监护职责条件的被监护人住所地的居民委员会、村民委员会担任。"
        ),
        "tags": ["民法典", "监护"],
        "difficulty": "medium",
        "article": "民法典 32",
    },
    {
        "type": "single",
        "stem": (
            "限制民事行为能力人实施的需经追认的民事法律行为，相对人可以催告法定代理人自收到通知之日起（　　）"
            "内予以追认。"
        ),
        "options": ["十五日", "三十日", "六十日", "九十日"],
        "answer": "B",
        "explanation": (
            "民法典第一百四十五条第二款规定，相对人可以催告法定代理人自收到通知之日起三十日内予以追认；"
            "法定代理人未作表示的，视为拒绝追认。"
        ),
        "tags": ["民法典", "民事行为能力"],
        "difficulty": "medium",
        "article": "民法典 145",
    },
    {
        "type": "single",
        "stem": (
            "“行为人因过错侵害他人民事权益造成损害的，应当承担侵权责任。”这一规定确立的归责原则是（　　）。"
        ),
        "options": ["过错责任原则", "无过错责任原则", "公平分担损失原则", "结果责任原则"],
        "answer": "A",
        "explanation": (
            "民法典第一千一百六十五条第一款规定的是过错责任原则，第二款规定了过错推定；"
            "不论有无过错都要承担责任的无过错责任，须有法律规定（第一千一百六十六条）。"
        ),
        "tags": ["民法典", "侵权责任"],
        "difficulty": "easy",
        "article": "民法典 1165",
    },
    {
        "type": "single",
        "stem": "某公司员工在执行工作任务时因一般过失造成他人损害。依照民法典，应当由（　　）承担侵权责任。",
        "options": ["该员工个人", "该公司", "该员工与公司平均分担", "该员工先行赔偿，不足部分由公司补充"],
        "answer": "B",
        "explanation": (
            "民法典第一千一百九十一条规定，用人单位的工作人员因执行工作任务造成他人损害的，"
            "由用人单位承担侵权责任；用人单位承担侵权责任后，可以向有故意或者重大过失的工作人员追偿。"
        ),
        "tags": ["民法典", "侵权责任"],
        "difficulty": "medium",
        "article": "民法典 1191",
    },
    {
        "type": "single",
        "stem": "当事人约定的定金数额不得超过主合同标的额的（　　），超过部分不产生定金的效力。",
        "options": ["百分之十", "百分之二十", "百分之三十", "百分之五十"],
        "answer": "B",
        "explanation": (
            "民法典第五百八十六条规定，定金的数额由当事人约定，但不得超过主合同标的额的百分之二十，"
            "超过部分不产生定金的效力；定金合同自实际交付定金时成立。"
        ),
        "tags": ["民法典", "合同"],
        "difficulty": "medium",
        "article": "民法典 586",
    },
    {
        "type": "multiple",
        "stem": "下列情形中，导致诉讼时效中断、诉讼时效期间重新计算的有（　　）。",
        "options": [
            "权利人向义务人提出履行请求",
            "义务人同意履行义务",
            "权利人提起诉讼或者申请仲裁",
            "在诉讼时效期间的最后六个月内发生不可抗力",
        ],
        "answer": ["A", "B", "C"],
        "explanation": (
            "民法典第一百九十五条规定，权利人向义务人提出履行请求、义务人同意履行义务、"
            "权利人提起诉讼或者申请仲裁等，诉讼时效中断，从中断、有关程序终结时起重新计算。"
            "最后六个月内发生不可抗力是第一百九十四条规定的中止事由。"
        ),
        "tags": ["民法典", "诉讼时效"],
        "difficulty": "medium",
        "article": "民法典 195",
    },
    {
        "type": "multiple",
        "stem": "下列请求权中，不适用诉讼时效规定的有（　　）。",
        "options": [
            "请求停止侵害、排除妨碍、消除危险",
            "不动产物权的权利人请求返还财产",
            "请求偿还借款本金及利息",
            "请求支付抚养费、赡养费或者扶养费",
        ],
        "answer": ["A", "B", "D"],
        "explanation": (
            "民法典第一百九十六条规定，请求停止侵害、排除妨碍、消除危险，"
            "不动产物权和登记的动产物权的权利人请求返还财产，请求支付抚养费、"
            "赡养费或者扶养费等请求权不适用诉讼时效。请求偿还借款是普通债权请求权，适用诉讼时效。"
        ),
        "tags": ["民法典", "诉讼时效"],
        "difficulty": "hard",
        "article": "民法典 196",
    },
    {
        "type": "multiple",
        "stem": "依照民法典，处理个人信息应当符合的条件包括（　　）。",
        "options": [
            "征得该自然人或者其监护人同意，但是法律、行政法规另有规定的除外",
            "公开处理信息的规则",
            "明示处理信息的目的、方式和范围",
            "为便于日后使用，尽可能多地收集和保存信息",
        ],
        "answer": ["A", "B", "C"],
        "explanation": (
            "民法典第一千零三十五条规定，处理个人信息应当遵循合法、正当、必要原则，不得过度处理，"
            "并符合征得同意、公开处理信息的规则、明示处理信息的目的方式和范围、"
            "不违反法律法规和双方约定等条件。"
        ),
        "tags": ["民法典", "个人信息保护"],
        "difficulty": "medium",
        "article": "民法典 1035",
    },
    {
        "type": "multiple",
        "stem": "依照民法典，民事法律行为有效应当具备的条件包括（　　）。",
        "options": [
            "行为人具有相应的民事行为能力",
            "必须采用书面形式并经公证",
            "意思表示真实",
            "不违反法律、行政法规的强制性规定，不违背公序良俗",
        ],
        "answer": ["A", "C", "D"],
        "explanation": (
            "民法典第一百四十三条规定，具备行为人具有相应的民事行为能力、意思表示真实、"
            "不违反法律和行政法规的强制性规定且不违背公序良俗三项条件的民事法律行为有效。"
            "一般民事法律行为并不要求书面形式和公证。"
        ),
        "tags": ["民法典", "民事法律行为"],
        "difficulty": "easy",
        "article": "民法典 143",
    },
    {
        "type": "multiple",
        "stem": "依照民法典，下列情形中当事人可以解除合同的有（　　）。",
        "options": [
            "因不可抗力致使不能实现合同目的",
            "在履行期限届满前，当事人一方明确表示不履行主要债务",
            "合同订立后市场价格小幅上涨，一方认为不划算",
            "当事人一方迟延履行主要债务，经催告后在合理期限内仍未履行",
        ],
        "answer": ["A", "B", "D"],
        "explanation": (
            "民法典第五百六十三条列举了可以解除合同的法定情形，包括因不可抗力致使不能实现合同目的、预期违约、"
            "迟延履行主要债务经催告后在合理期限内仍未履行等。价格正常波动属于商业风险，不是法定解除事由。"
        ),
        "tags": ["民法典", "合同"],
        "difficulty": "medium",
        "article": "民法典 563",
    },
    {
        "type": "true_false",
        "stem": "当事人未提出诉讼时效抗辩的，人民法院可以主动适用诉讼时效的规定驳回其诉讼请求。",
        "options": [],
        "answer": False,
        "explanation": (
            "民法典第一百九十三条规定，人民法院不得主动适用诉讼时效的规定。"
            "是否提出诉讼时效抗辩由义务人自己决定。"
        ),
        "tags": ["民法典", "诉讼时效"],
        "difficulty": "medium",
        "article": "民法典 193",
    },
    {
        "type": "true_false",
        "stem": (
            "国家机关、承担行政职能的法定机构及其工作人员对于履行职责过程中知悉的自然人的隐私和个人信息，"
            "应当予以保密，不得泄露或者向他人非法提供。"
        ),
        "options": [],
        "answer": True,
        "explanation": (
            "这是民法典第一千零三十九条的规定，机关工作人员在办理业务中接触到的群众隐私和个人信息都应保密。"
        ),
        "tags": ["民法典", "个人信息保护"],
        "difficulty": "easy",
        "article": "民法典 1039",
    },
    {
        "type": "true_false",
        "stem": (
            "从建筑物中抛掷物品造成他人损害，经调查难以确定具体侵权人的，"
            "可能加害的建筑物使用人即使能够证明自己不是侵权人，也应当给予补偿。"
        ),
        "options": [],
        "answer": False,
        "explanation": (
            "民法典第一千二百五十四条规定，经调查难以确定具体侵权人的，除能够证明自己不是侵权人的外，"
            "由可能加害的建筑物使用人给予补偿；能够证明自己不是侵权人的，不承担补偿责任。"
        ),
        "tags": ["民法典", "侵权责任"],
        "difficulty": "medium",
        "article": "民法典 1254",
    },
    {
        "type": "true_false",
        "stem": "涉及遗产继承、接受赠与等胎儿利益保护的，胎儿视为具有民事权利能力。",
        "options": [],
        "answer": True,
        "explanation": (
            "民法典第十六条规定，涉及遗产继承、接受赠与等胎儿利益保护的，胎儿视为具有民事权利能力；"
            "但是胎儿娩出时为死体的，其民事权利能力自始不存在。"
        ),
        "tags": ["民法典", "民事权利能力"],
        "difficulty": "medium",
        "article": "民法典 16",
    },
    {
        "type": "true_false",
        "stem": "当事人迟延履行合同后发生不可抗力的，可以因不可抗力免除其违约责任。",
        "options": [],
        "answer": False,
        "explanation": (
            "民法典第五百九十条规定，因不可抗力不能履行合同的，根据不可抗力的影响部分或者全部免除责任；"
            "但当事人迟延履行后发生不可抗力的，不免除其违约责任。"
        ),
        "tags": ["民法典", "合同"],
        "difficulty": "medium",
        "article": "民法典 590",
    },
    {
        "type": "fill",
        "stem": "（　　）周岁以上的自然人为成年人。",
        "options": [],
        "answer": [["十八", "18"]],
        "explanation": "民法典第十七条规定，十八周岁以上的自然人为成年人，不满十八周岁的自然人为未成年人。",
        "tags": ["民法典", "民事行为能力"],
        "difficulty": "easy",
        "article": "民法典 17",
    },
    {
        "type": "fill",
        "stem": (
            "向人民法院请求保护民事权利的诉讼时效期间为（　　）年；自权利受到损害之日起超过（　　）年的，"
            "人民法院不予保护，有特殊情况的，人民法院可以根据权利人的申请决定延长。"
        ),
        "options": [],
        "answer": [["三", "3"], ["二十", "20"]],
        "explanation": (
            "民法典第一百八十八条规定，普通诉讼时效期间为三年，"
            "自权利人知道或者应当知道权利受到损害以及义务人之日起计算；但是自权利受到损害之日起超过二十年的，"
            "人民法院不予保护，有特殊情况的可以决定延长。"
        ),
        "tags": ["民法典", "诉讼时效"],
        "difficulty": "medium",
        "article": "民法典 188",
    },
    {
        "type": "fill",
        "stem": "民事主体从事民事活动，应当遵循（　　）原则，秉持诚实，恪守承诺。",
        "options": [],
        "answer": [["诚信", "诚实信用"]],
        "explanation": "民法典第七条规定，民事主体从事民事活动，应当遵循诚信原则，秉持诚实，恪守承诺。",
        "tags": ["民法典", "基本原则"],
        "difficulty": "easy",
        "article": "民法典 7",
    },

    # 政府信息公开条例（2019年修订）
    {
        "type": "single",
        "stem": "行政机关收到政府信息公开申请，不能当场答复的，应当自收到申请之日起（　　）内予以答复。",
        "options": ["10个工作日", "15个工作日", "20个工作日", "30日"],
        "answer": "C",
        "explanation": (
            "《政府信息公开条例》第三十三条规定，不能当场答复的，应当自收到申请之日起20个工作日内予以答复；"
            "需要延长的，应当经政府信息公开工作机构负责人同意并告知申请人，延长的期限最长不得超过20个工作日。"
        ),
        "tags": ["政府信息公开", "依申请公开", "答复期限"],
        "difficulty": "easy",
        "article": "政府信息公开条例 33",
    },
    {
        "type": "single",
        "stem": (
            "政府信息公开申请内容不明确的，行政机关应当给予指导和释明，并自收到申请之日起（　　）"
            "内一次性告知申请人作出补正。"
        ),
        "options": ["7个工作日", "3个工作日", "5个工作日", "15个工作日"],
        "answer": "A",
        "explanation": (
            "《政府信息公开条例》第三十条规定，申请内容不明确的，"
            "行政机关应当自收到申请之日起7个工作日内一次性告知申请人作出补正；"
            "答复期限自行政机关收到补正的申请之日起计算。"
        ),
        "tags": ["政府信息公开", "依申请公开"],
        "difficulty": "medium",
        "article": "政府信息公开条例 30",
    },
    {
        "type": "single",
        "stem": (
            "依申请公开的政府信息公开会损害第三方合法权益的，行政机关应当书面征求第三方的意见，"
            "第三方应当自收到征求意见书之日起（　　）内提出意见。"
        ),
        "options": ["5个工作日", "7个工作日", "10个工作日", "15个工作日"],
        "answer": "D",
        "explanation": (
            "《政府信息公开条例》第三十二条规定，第三方应当自收到征求意见书之日起15个工作日内提出意见；"
            "逾期未提出意见的，由行政机关依照条例规定决定是否公开。"
        ),
        "tags": ["政府信息公开", "依申请公开", "答复期限"],
        "difficulty": "hard",
        "article": "政府信息公开条例 32",
    },
    {
        "type": "single",
        "stem": "申请人以挂号信等需要签收的邮寄方式提交政府信息公开申请的，以（　　）为收到申请之日。",
        "options": [
            "申请人寄出申请之日",
            "行政机关签收之日",
            "政府信息公开工作机构负责人批示之日",
            "邮件寄出后的第三日",
        ],
        "answer": "B",
        "explanation": (
            "《政府信息公开条例》第三十一条规定，申请人以邮寄方式提交申请的，"
            "以行政机关签收之日为收到申请之日；以平常信函等无需签收的方式邮寄的，"
            "以政府信息公开工作机构与申请人确认之日为收到申请之日。"
        ),
        "tags": ["政府信息公开", "依申请公开"],
        "difficulty": "medium",
        "article": "政府信息公开条例 31",
    },
    {
        "type": "multiple",
        "stem": "下列政府信息中，属于行政机关应当主动公开的有（　　）。",
        "options": [
            "财政预算、决算信息",
            "本机关内部的人事管理、后勤管理信息",
            "行政事业性收费项目及其依据、标准",
            "公务员招考的职位、名额、报考条件等事项以及录用结果",
        ],
        "answer": ["A", "C", "D"],
        "explanation": (
            "《政府信息公开条例》第二十条将财政预算决算信息、行政事业性收费项目及其依据和标准、"
            "公务员招考的职位名额报考条件及录用结果等列为应当主动公开的内容。内部人事、"
            "后勤管理信息属于第十六条规定的可以不予公开的内部事务信息。"
        ),
        "tags": ["政府信息公开", "主动公开"],
        "difficulty": "medium",
        "article": "政府信息公开条例 20",
    },
    {
        "type": "multiple",
        "stem": "根据《政府信息公开条例》第十四条，下列政府信息中不予公开的有（　　）。",
        "options": [
            "依法确定为国家秘密的政府信息",
            "法律、行政法规禁止公开的政府信息",
            "公开后可能危及国家安全、公共安全、经济安全、社会稳定的政府信息",
            "实施行政处罚的依据、条件、程序",
        ],
        "answer": ["A", "B", "C"],
        "explanation": (
            "《政府信息公开条例》第十四条规定，依法确定为国家秘密的、法律和行政法规禁止公开的、"
            "公开后可能危及国家安全、公共安全、经济安全、社会稳定的政府信息，不予公开。实施行政处罚的依据、"
            "条件、程序属于第二十条规定的主动公开内容。"
        ),
        "tags": ["政府信息公开", "不予公开"],
        "difficulty": "medium",
        "article": "政府信息公开条例 14",
    },
    {
        "type": "true_false",
        "stem": "行政机关依申请提供政府信息，可以按页向申请人收取检索、复制费用。",
        "options": [],
        "answer": False,
        "explanation": (
            "《政府信息公开条例》第四十二条规定，行政机关依申请提供政府信息，不收取费用；"
            "只有申请人申请公开政府信息的数量、频次明显超过合理范围的，行政机关才可以收取信息处理费。"
        ),
        "tags": ["政府信息公开", "依申请公开"],
        "difficulty": "medium",
        "article": "政府信息公开条例 42",
    },
    {
        "type": "true_false",
        "stem": (
            "行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性信息，"
            "可以不予公开，但法律、法规、规章规定应当公开的除外。"
        ),
        "options": [],
        "answer": True,
        "explanation": (
            "《政府信息公开条例》第十六条第二款规定，过程性信息以及行政执法案卷信息可以不予公开；法律、法规、"
            "规章规定上述信息应当公开的，从其规定。"
        ),
        "tags": ["政府信息公开", "不予公开"],
        "difficulty": "medium",
        "article": "政府信息公开条例 16",
    },
    {
        "type": "true_false",
        "stem": (
            "申请人以政府信息公开申请的形式进行信访、投诉、举报等活动的，"
            "行政机关应当按照政府信息公开申请程序办理并作出答复。"
        ),
        "options": [],
        "answer": False,
        "explanation": (
            "《政府信息公开条例》第三十九条规定，申请人以政府信息公开申请的形式进行信访、投诉、举报等活动，"
            "行政机关应当告知申请人不作为政府信息公开申请处理，并可以告知通过相应渠道提出。"
        ),
        "tags": ["政府信息公开", "依申请公开"],
        "difficulty": "medium",
        "article": "政府信息公开条例 39",
    },
    {
        "type": "fill",
        "stem": "属于主动公开范围的政府信息，应当自该政府信息形成或者变更之日起（　　）个工作日内及时公开。",
        "options": [],
        "answer": [["20", "二十"]],
        "explanation": (
            "《政府信息公开条例》第二十六条规定，属于主动公开范围的政府信息，"
            "应当自该政府信息形成或者变更之日起20个工作日内及时公开；法律、法规对期限另有规定的，从其规定。"
        ),
        "tags": ["政府信息公开", "主动公开"],
        "difficulty": "easy",
        "article": "政府信息公开条例 26",
    },

    # 重大行政决策程序暂行条例（2019年）
    {
        "type": "single",
        "stem": "重大行政决策事项向社会公开征求意见的，公开征求意见的期限一般不少于（　　）。",
        "options": ["7日", "15日", "20日", "30日"],
        "answer": "D",
        "explanation": (
            "《重大行政决策程序暂行条例》第十五条规定，公开征求意见的期限一般不少于30日；"
            "因情况紧急等原因需要缩短期限的，公开征求意见时应当予以说明。"
        ),
        "tags": ["重大行政决策", "公众参与"],
        "difficulty": "medium",
        "article": "重大行政决策程序暂行条例 15",
    },
    {
        "type": "single",
        "stem": "重大行政决策草案送请合法性审查，应当保证必要的审查时间，一般不少于（　　）。",
        "options": ["3个工作日", "5个工作日", "7个工作日", "10个工作日"],
        "answer": "C",
        "explanation": (
            "《重大行政决策程序暂行条例》第二十六条规定，送请合法性审查应当提供决策草案及相关材料，"
            "并保证必要的审查时间，一般不少于7个工作日。"
        ),
        "tags": ["重大行政决策", "合法性审查"],
        "difficulty": "hard",
        "article": "重大行政决策程序暂行条例 26",
    },
    {
        "type": "single",
        "stem": "关于重大行政决策的集体讨论决定，下列说法正确的是（　　）。",
        "options": [
            "行政首长应当首先发表意见，以便统一会议组成人员的认识",
            "讨论决策草案时，会议组成人员应当充分发表意见，行政首长最后发表意见",
            "行政首长拟作出的决定必须与会议组成人员多数人的意见一致",
            "集体讨论中的不同意见不必记录，只需记录最终决定",
        ],
        "answer": "B",
        "explanation": (
            "《重大行政决策程序暂行条例》第三十条规定，会议组成人员应当充分发表意见，行政首长最后发表意见；"
            "行政首长拟作出的决定与多数人意见不一致的，应当在会上说明理由；集体讨论情况应当如实记录，"
            "不同意见应当如实载明。"
        ),
        "tags": ["重大行政决策", "集体讨论决定"],
        "difficulty": "medium",
        "article": "重大行政决策程序暂行条例 30",
    },
    {
        "type": "single",
        "stem": (
            "经风险评估，决策机关认为重大行政决策的风险不可控的，依照《重大行政决策程序暂行条例》，（　　）。"
        ),
        "options": [
            "在采取调整决策草案等措施确保风险可控后，可以作出决策",
            "可以直接作出决策，风险由决策执行单位负责化解",
            "只要通过了合法性审查，即可作出决策",
            "可以不考虑风险评估结果，由行政首长决定",
        ],
        "answer": "A",
        "explanation": (
            "《重大行政决策程序暂行条例》第二十四条规定，风险评估结果应当作为重大行政决策的重要依据；"
            "决策机关认为风险不可控的，在采取调整决策草案等措施确保风险可控后，可以作出决策。"
        ),
        "tags": ["重大行政决策", "风险评估"],
        "difficulty": "medium",
        "article": "重大行政决策程序暂行条例 24",
    },
    {
        "type": "multiple",
        "stem": "根据《重大行政决策程序暂行条例》第三条，下列决策中不适用该条例的有（　　）。",
        "options": [
            "财政政策、货币政策等宏观调控决策",
            "政府立法决策",
            "制定经济和社会发展等方面的重要规划",
            "突发事件应急处置决策",
        ],
        "answer": ["A", "B", "D"],
        "explanation": (
            "《重大行政决策程序暂行条例》第三条第二款规定，财政政策、货币政策等宏观调控决策，"
            "政府立法决策以及突发事件应急处置决策不适用本条例。"
            "制定经济和社会发展等方面的重要规划属于该条第一款列举的决策事项。"
        ),
        "tags": ["重大行政决策", "适用范围"],
        "difficulty": "hard",
        "article": "重大行政决策程序暂行条例 3",
    },
    {
        "type": "multiple",
        "stem": "决策承办单位提交决策机关讨论决策草案，应当报送的材料包括（　　）。",
        "options": [
            "决策草案及相关材料",
            "履行专家论证程序的，专家论证意见的研究采纳情况",
            "决策承办单位负责人的年度述职报告",
            "履行风险评估程序的，风险评估报告等有关材料",
            "合法性审查意见",
        ],
        "answer": ["A", "B", "D", "E"],
        "explanation": (
            "《重大行政决策程序暂行条例》第二十九条规定，应当报送决策草案及相关材料、公众意见的"
            "研究采纳情况、专家论证意见的研究采纳情况、风险评估报告等有关材料、"
            "合法性审查意见以及需要报送的其他材料。"
        ),
        "tags": ["重大行政决策", "集体讨论决定"],
        "difficulty": "hard",
        "article": "重大行政决策程序暂行条例 29",
    },
    {
        "type": "true_false",
        "stem": "为提高效率，决策承办单位可以用征求有关部门意见的方式代替合法性审查。",
        "options": [],
        "answer": False,
        "explanation": (
            "《重大行政决策程序暂行条例》第二十五条规定，决策草案提交决策机关讨论前，"
            "应当由负责合法性审查的部门进行合法性审查，不得以征求意见等方式代替合法性审查；"
            "未经合法性审查或者经审查不合法的，不得提交讨论。"
        ),
        "tags": ["重大行政决策", "合法性审查"],
        "difficulty": "medium",
        "article": "重大行政决策程序暂行条例 25",
    },
    {
        "type": "true_false",
        "stem": (
            "选择专家、专业机构参与决策论证，应当注重选择持不同意见的专家、专业机构，"
            "不得选择与决策事项有直接利害关系的专家、专业机构。"
        ),
        "options": [],
        "answer": True,
        "explanation": (
            "《重大行政决策程序暂行条例》第二十条规定，选择专家、专业机构参与论证，应当坚持专业性、"
            "代表性和中立性，注重选择持不同意见的专家、专业机构，不得选择与决策事项有直接利害关系的专家、"
            "专业机构。"
        ),
        "tags": ["重大行政决策", "专家论证"],
        "difficulty": "medium",
        "article": "重大行政决策程序暂行条例 20",
    },
    {
        "type": "fill",
        "stem": (
            "作出重大行政决策应当遵循（　　）决策原则，充分听取各方面意见，"
            "保障人民群众通过多种途径和形式参与决策。"
        ),
        "options": [],
        "answer": [["民主"]],
        "explanation": (
            "《重大行政决策程序暂行条例》第六条规定了民主决策原则；第五条、"
            "第七条分别规定了科学决策原则和依法决策原则。"
        ),
        "tags": ["重大行政决策", "公众参与"],
        "difficulty": "easy",
        "article": "重大行政决策程序暂行条例 6",
    },
    {
        "type": "fill",
        "stem": (
            "决策机关违反条例规定造成决策严重失误，或者依法应当及时作出决策而久拖不决，造成重大损失、"
            "恶劣影响的，应当倒查责任，实行（　　）责任追究。"
        ),
        "options": [],
        "answer": [["终身"]],
        "explanation": (
            "《重大行政决策程序暂行条例》第三十八条第二款规定，对此类情形应当倒查责任，实行终身责任追究，"
            "对决策机关行政首长、负有责任的其他领导人员和直接责任人员依法追究责任。"
        ),
        "tags": ["重大行政决策", "决策责任"],
        "difficulty": "medium",
        "article": "重大行政决策程序暂行条例 38",
    },
]


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _question_problems(q: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if set(q) != KEYS:
        missing, extra = sorted(KEYS - set(q)), sorted(set(q) - KEYS)
        if missing:
            problems.append(f"missing keys {missing}")
        if extra:
            problems.append(f"unknown keys {extra}")
        return problems
    kind, stem, options, answer = q["type"], q["stem"], q["options"], q["answer"]
    if kind not in QUESTION_TYPES:
        return [f"unknown type {kind!r}"]
    if not isinstance(stem, str) or not stem.strip():
        return ["empty stem"]
    if not isinstance(q["explanation"], str) or not q["explanation"].strip():
        problems.append("empty explanation")
    if not _strings(q["tags"]) or not q["tags"]:
        problems.append("tags must be a non-empty list of strings")
    if q["difficulty"] not in DIFFICULTIES:
        problems.append(f"unknown difficulty {q['difficulty']!r}")
    if not isinstance(q["article"], str) or not ARTICLE_RE.match(q["article"]):
        problems.append(f"article {q['article']!r} is not '<law> <number>'")
    if kind in ("single", "multiple"):
        if not _strings(options) or not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            problems.append(f"needs {MIN_OPTIONS}–{MAX_OPTIONS} non-empty options")
            return problems
        if len(set(options)) != len(options):
            problems.append("duplicate options")
        if any(_LETTER_PREFIX.match(option) for option in options):
            problems.append("option starts with a letter prefix")
        keys = OPTION_KEYS[:len(options)]
        if kind == "single":
            if not isinstance(answer, str) or len(answer) != 1 or answer not in keys:
                problems.append(f"answer {answer!r} is not one of {keys}")
        elif not isinstance(answer, list) or not all(isinstance(k, str) and k in keys for k in answer):
            problems.append(f"answer {answer!r} must be letters among {keys}")
        elif len(answer) < 2:
            problems.append("a multiple-choice question needs at least two right answers")
        elif answer != sorted(set(answer)):
            problems.append("answer letters must be sorted and distinct")
    else:
        if options != []:
            problems.append("options must be [] for this type")
        if kind == "true_false":
            if not isinstance(answer, bool):
                problems.append("answer must be True or False")
        elif not isinstance(answer, list) or not answer or not all(_strings(b) and b for b in answer):
            problems.append("answer must be a list of blanks, each a non-empty list of strings")
        elif len(answer) != stem.count(BLANK):
            problems.append(f"{len(answer)} answer blanks but {stem.count(BLANK)} {BLANK} in the stem")
    return problems


def validate_bank() -> list[str]:
    """Problems in DEMO_QUESTIONS (empty when the bank is well formed)."""
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, question in enumerate(DEMO_QUESTIONS, start=1):
        if not isinstance(question, dict):
            problems.append(f"#{number}: not a dict")
            continue
        label = f"#{number} ({str(question.get('stem', ''))[:16]})"
        problems.extend(f"{label}: {problem}" for problem in _question_problems(question))
        stem = " ".join(str(question.get("stem", "")).split())
        if stem in seen:
            problems.append(f"{label}: same stem as #{seen[stem]}")
        else:
            seen[stem] = number
    return problems
