"""Demo content for the library: statutes from the shared folder, when it is there, and
a small collection of study materials written for this project."""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app

from lawlearn.library import services
from lawlearn.library.materials import (
    MaterialFields,
    add_to_collection,
    create_collection,
    create_material,
)

DEMO_LAW_FILES = ["宪法.md", "政府信息公开条例_2019.md", "重大行政决策程序暂行条例_2019.md",
                  "民法典.md"]

# Short study notes on the eleven principles (十一个坚持) of Xi Jinping Thought on the Rule
# of Law, written for this demo; each links to the Constitution articles it rests on.
ELEVEN_PRINCIPLES = [
    ("坚持党对全面依法治国的领导", "根本保证", "宪法 1",
     "党的领导是推进全面依法治国的根本保证。学习时联系宪法第一条：中国共产党领导是中国特色"
     "社会主义最本质的特征。\n\n**学习要点**\n\n- 把党的领导贯彻到依法治国全过程和各方面\n"
     "- 坚持党领导立法、保证执法、支持司法、带头守法"),
    ("坚持以人民为中心", "根本立场", "宪法 2",
     "全面依法治国最广泛、最深厚的基础是人民。法治建设要为了人民、依靠人民、造福人民、保护人民。"
     "\n\n结合本单位工作思考：群众办事中的“急难愁盼”如何在依法行政中回应？"),
    ("坚持中国特色社会主义法治道路", "道路", "宪法 5",
     "中国特色社会主义法治道路是建设社会主义法治国家的唯一正确道路。宪法第五条规定："
     "中华人民共和国实行依法治国，建设社会主义法治国家。"),
    ("坚持依宪治国、依宪执政", "宪法", "宪法 5；宪法 27",
     "依法治国首先是依宪治国，依法执政关键是依宪执政。国家工作人员就职时应当依照法律规定"
     "公开进行宪法宣誓（宪法第二十七条）。"),
    ("坚持在法治轨道上推进国家治理体系和治理能力现代化", "治理", "宪法 3",
     "法治是国家治理体系和治理能力的重要依托。\n\n> 在法治轨道上推进改革，以法治方式化解矛盾。"),
    ("坚持建设中国特色社会主义法治体系", "体系", "宪法 5",
     "建设完备的法律规范体系、高效的法治实施体系、严密的法治监督体系、有力的法治保障体系，"
     "形成完善的党内法规体系。"),
    ("坚持依法治国、依法执政、依法行政共同推进，法治国家、法治政府、法治社会一体建设",
     "工作布局", "宪法 5；宪法 89",
     "法治政府建设是重点任务和主体工程。对照本单位法治政府建设年度报告，查找依法行政中的"
     "薄弱环节。"),
    ("坚持全面推进科学立法、严格执法、公正司法、全民守法", "重要环节", "宪法 5；宪法 33",
     "科学立法、严格执法、公正司法、全民守法是全面依法治国的重要环节。"
     "宪法第三十三条：中华人民共和国公民在法律面前一律平等。"),
    ("坚持统筹推进国内法治和涉外法治", "涉外法治", "宪法 32",
     "统筹国内国际两个大局，加快涉外法治工作战略布局，运用法治维护国家主权、安全、发展利益。"),
    ("坚持建设德才兼备的高素质法治工作队伍", "队伍", "宪法 27",
     "推进法治专门队伍正规化、专业化、职业化，加强法律服务队伍建设。"),
    ("坚持抓住领导干部这个“关键少数”", "关键少数", "宪法 27",
     "领导干部要做尊法学法守法用法的模范，带头落实会前学法、述法等制度，"
     "提高运用法治思维和法治方式的能力。"),
]


def shared_laws_folder() -> Path | None:
    configured = os.environ.get("LAWLEARN_DEMO_LAWS_DIR")
    folder = Path(configured) if configured else \
        Path(current_app.root_path).parent.parent / "shared" / "data" / "laws"
    return folder if folder.is_dir() else None


def load_library_demo() -> dict[str, int]:
    """Import the shared statute texts (if present) and create the demo materials."""
    folder = shared_laws_folder()
    laws = 0
    if folder is not None:
        for name in DEMO_LAW_FILES:
            path = folder / name
            if path.is_file():
                services.import_law(None, path.read_bytes(), source_name=name)
                laws += 1
    collection = create_collection(
        None, "习近平法治思想：十一个坚持",
        "围绕“十一个坚持”的学习提要，每篇附相关宪法条文。", published=True)
    for title, group, refs, body in ELEVEN_PRINCIPLES:
        material = create_material(None, MaterialFields(
            title=title, kind="speech", body_markdown=body, source="学习提要（本平台编写）",
            tags=["习近平法治思想", group],
            article_refs=refs if laws else "", published=True))
        add_to_collection(collection, material, "十一个坚持")
    case = create_material(None, MaterialFields(
        title="以案释法：政府信息公开申请的答复期限", kind="case",
        body_markdown=("**案情**：某居民向区政府办公室申请公开一份征收补偿文件，"
                       "行政机关逾期未答复。\n\n**评析**：行政机关收到申请，"
                       "能够当场答复的应当当场答复；不能当场答复的，应当自收到申请之日起"
                       "20个工作日内予以答复。\n\n**启示**：建立申请登记、分办、答复的台账，"
                       "按期答复。"),
        tags=["政府信息公开", "以案释法"],
        article_refs="政府信息公开条例 33" if laws else "", published=True))
    add_to_collection(collection, case, "以案释法")
    return {"laws": laws, "materials": len(ELEVEN_PRINCIPLES) + 1}
