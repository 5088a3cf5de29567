"""The facts an import reads from a statute's history lines (制定机关, 公布日期, 施行日期)."""

from __future__ import annotations

from datetime import date

import pytest

from lawlearn.library.history import HistoryFacts, history_facts
from lawlearn.library.parsing import parse_law
from tests.library.test_parsing import LAWS, needs_shared


@pytest.fixture(autouse=True)
def _request_context(app):
    with app.test_request_context():
        yield


@needs_shared
@pytest.mark.parametrize(("name", "facts"), [
    # The 2018 amendment is the current text; its 施行 is not given (1982's is older).
    ("宪法.md", HistoryFacts("全国人民代表大会", date(2018, 3, 11), None)),
    ("民法典.md", HistoryFacts("全国人民代表大会", date(2020, 5, 28), date(2021, 1, 1))),
    ("word/民法典.docx", HistoryFacts("全国人民代表大会", date(2020, 5, 28), None)),
    ("政府信息公开条例_2019.md", HistoryFacts("国务院", date(2019, 4, 3), date(2019, 5, 15))),
    ("重大行政决策程序暂行条例_2019.md",
     HistoryFacts("国务院", date(2019, 4, 20), date(2019, 9, 1))),
])
def test_the_shared_statutes(name, facts):
    assert history_facts(parse_law((LAWS / name).read_bytes()).notes) == facts


@pytest.mark.parametrize(("notes", "facts"), [
    # A .docx puts every event on one line: each runs to the next date.
    (["2007年8月30日第十届全国人民代表大会常务委员会第二十九次会议通过　根据2017年9月1日"
      "第十二届全国人民代表大会常务委员会第二十九次会议《关于修改〈中华人民共和国法官法〉"
      "等八部法律的决定》修正"],
     HistoryFacts("全国人民代表大会常务委员会", date(2017, 9, 1), None)),
    (["2015年7月30日浙江省第十二届人民代表大会常务委员会第二十一次会议通过",
      "自2015年10月1日起施行"],
     HistoryFacts("浙江省人民代表大会常务委员会", date(2015, 7, 30), date(2015, 10, 1))),
    (["2019年4月20日 某某市人民政府令第13号公布", "2019年9月1日起施行"],
     HistoryFacts("某某市人民政府", date(2019, 4, 20), date(2019, 9, 1))),
    (["2019年2月30日 国务院令第1号公布", "0019年3月1日 施行"], HistoryFacts()),  # no such days
    ([], HistoryFacts()),
])
def test_history_lines(notes, facts):
    assert history_facts(notes) == facts
