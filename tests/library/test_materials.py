"""Study materials: sanitised Markdown, attachments checked by content, collections, pages."""

from __future__ import annotations

import io
import random
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lawlearn.extensions import db
from lawlearn.library import attachments, materials
from lawlearn.library.models import (
    CollectionEntry,
    Material,
    MaterialAttachment,
    MaterialCollection,
)
from tests.conftest import PASSWORD, csrf_from, post_with_csrf

LAW_TEXT = "测试法\n\n第一条 甲。\n\n第二条 乙。\n\n第三条 丙。\n"
REFUSED = "只能上传 PDF、Word（.docx）或图片（JPEG/PNG/WebP/GIF）文件。"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- sample files -------------------------------------------------------------------


def pdf_bytes() -> bytes:
    """A minimal but well-formed one-page PDF."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def docx_bytes(text: str = "学习宪法") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    """A real PNG; its pixels are noise so that it does not compress to nothing."""
    from PIL import Image

    pixels = random.Random(size[0]).randbytes(size[0] * size[1] * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a document")
    return buffer.getvalue()


def docm_bytes() -> bytes:
    """A Word document carrying a macro project (a .docm renamed .docx)."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item.filename))
        archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    return buffer.getvalue()


EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64 + b"PE\x00\x00"
TEXT_BYTES = "这是一个文本文件，不是 PDF。\n".encode()


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "attachments"
    return sorted(folder.glob("*")) if folder.exists() else []


# --- helpers ------------------------------------------------------------------------


def make_law(app, text: str = LAW_TEXT) -> int:
    from lawlearn.library.services import import_law

    with app.app_context():
        law = import_law(None, text.encode())
        db.session.commit()
        return law.id


def make_material(app, title: str = "学习资料", *, published: bool = True, tags=(),
                  kind: str = "article", body: str = "正文", refs: str = "") -> int:
    with app.app_context():
        material = materials.create_material(None, materials.MaterialFields(
            title=title, kind=kind, body_markdown=body, tags=list(tags), article_refs=refs,
            published=published))
        db.session.commit()
        return material.id


def staff_client(app, make_user):
    client = app.test_client()
    user = make_user(roles=("staff",))
    token = csrf_from(client.get("/login"))
    client.post("/login", data={"username": user.username, "password": PASSWORD,
                                "csrf_token": token})
    return client


def material_form(**overrides) -> dict:
    return {"title": "宪法学习要点", "kind": "article", "source": "区司法局",
            "body_markdown": "## 要点\n\n- **国家尊重和保障人权**\n", "video_url": "",
            "tags": "宪法、人权", "article_refs": "", **overrides}


# --- Markdown -----------------------------------------------------------------------


class _Elements(HTMLParser):
    """Every element and attribute of a fragment, as a browser would build them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)

    handle_startendtag = handle_starttag


def elements(fragment: str) -> _Elements:
    parser = _Elements()
    parser.feed(fragment)
    parser.close()
    return parser


def url_scheme(url: str) -> str:
    # Browsers drop control characters and whitespace before reading the scheme.
    squashed = re.sub(r"[\x00-\x20\x7f]", "", url).lower()
    match = re.match(r"^([a-z][a-z0-9+.\-]*):", squashed)
    return match.group(1) if match else ""


HOSTILE = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">x</a>',
    "[x](JAVASCRIPT:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    '<iframe src="https://evil.example/"></iframe>',
    "<style>body { display: none }</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<svg><script>alert(1)</script></svg>",
    '<form action="https://evil.example/"><button>x</button></form>',
    "# t\n\n<scr<script>ipt>alert(1)</script>",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_render_markdown_leaves_nothing_that_runs(source):
    rendered = materials.render_markdown(source)
    lowered = rendered.lower()
    for tag in ("<script", "<iframe", "<style", "<svg", "<form", "<object", "<embed", "<div"):
        assert tag not in lowered, rendered
    parsed = elements(rendered)
    assert set(parsed.tags) <= materials.ALLOWED_TAGS, rendered
    for _tag, name, value in parsed.attributes:
        assert not name.startswith("on"), rendered
        assert name not in ("style", "srcdoc", "formaction"), rendered
        if name in ("href", "src"):
            assert url_scheme(value) in ("", "http", "https", "mailto"), rendered


def test_render_markdown_keeps_ordinary_markdown():
    rendered = materials.render_markdown(
        "# 总则\n\n## 第一节\n\n正文有**加粗**和*强调*。\n\n- 第一项\n- 第二项\n\n1. 甲\n2. 乙\n\n"
        "[中国人大网](https://www.npc.gov.cn/)\n\n> 引文\n\n| 条 | 内容 |\n| --- | --- |\n"
        "| 33 | 公民 |\n")
    parsed = elements(rendered)
    assert "<h2>总则</h2>" in rendered  # the page's own h1 stays the only one
    assert "<h2>第一节</h2>" in rendered
    assert "<strong>加粗</strong>" in rendered and "<em>强调</em>" in rendered
    assert {"ul", "ol", "li", "blockquote", "table", "thead", "tbody", "th", "td"} <= set(
        parsed.tags)
    assert ("a", "href", "https://www.npc.gov.cn/") in parsed.attributes
    assert ("a", "rel", "noopener noreferrer") in parsed.attributes
    assert "h1" not in parsed.tags


def test_plain_text_joins_inline_marks_without_spaces():
    """The list's snippet and search read Chinese as written: no space where bold was."""
    rendered = materials.render_markdown("**案情**：某居民申请公开[征收](https://example.cn)文件。\n\n"
                                         "## 评析\n\n依法*应当*公开。")
    assert materials.plain_text(rendered) == "案情：某居民申请公开征收文件。 评析 依法应当公开。"


def test_raw_html_is_shown_as_text_not_lost():
    rendered = materials.render_markdown("比较 a <b> c 的大小")
    assert "&lt;b&gt;" in rendered and "<b>" not in rendered


# --- attachments (service) ----------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "content_type", "stored_name"), [
    ("宪法讲义.pdf", pdf_bytes(), "application/pdf", "宪法讲义.pdf"),
    ("学习笔记.docx", docx_bytes(), DOCX_TYPE, "学习笔记.docx"),
    ("海报.png", png_bytes(), "image/png", "海报.png"),
    ("海报.pdf", png_bytes(), "image/png", "海报.png"),  # renamed: stored as what it is
    ("../../etc/passwd.png", png_bytes(), "image/png", "passwd.png"),
    ("C:\\Users\\a\\通知.docx", docx_bytes(), DOCX_TYPE, "通知.docx"),
])
def test_attachments_are_accepted_by_content(ctx, name, data, content_type, stored_name):
    material_id = make_material(ctx)
    material = db.session.get(Material, material_id)
    attachment = attachments.add_attachment(None, material, name, data)
    db.session.commit()
    assert attachment.content_type == content_type
    assert attachment.original_name == stored_name
    assert attachment.size == len(data)
    path = attachments.attachment_path(attachment)
    assert path.read_bytes() == data
    assert path.parent == Path(ctx.config["UPLOAD_FOLDER"]) / "attachments"
    assert path.suffix == "." + stored_name.rsplit(".", 1)[1]


def test_the_same_file_twice_is_one_attachment(ctx):
    """The same PDF uploaded again was listed twice; another file of its size is welcome."""
    material = db.session.get(Material, make_material(ctx))
    first = attachments.add_attachment(None, material, "宪法讲义.pdf", pdf_bytes())
    db.session.commit()
    with pytest.raises(materials.ValidationFailed, match="这个文件已经上传过（宪法讲义.pdf）"):
        attachments.add_attachment(None, material, "讲义（副本）.pdf", pdf_bytes())
    db.session.rollback()
    twin = pdf_bytes()[:-1] + bytes([pdf_bytes()[-1] ^ 1])  # the same size, one byte off
    assert len(twin) == first.size and twin != pdf_bytes()
    attachments.add_attachment(None, material, "另一份.pdf", twin)
    db.session.commit()
    assert db.session.scalar(select(func.count(MaterialAttachment.id))) == 2
    other = db.session.get(Material, make_material(ctx, title="另一份资料"))
    attachments.add_attachment(None, other, "宪法讲义.pdf", pdf_bytes())  # elsewhere: fine
    db.session.commit()


@pytest.mark.parametrize(("name", "data"), [
    ("setup.pdf", EXE_BYTES),
    ("archive.pdf", zip_bytes()),
    ("notes.pdf", TEXT_BYTES),
    ("macro.docx", docm_bytes()),
    ("broken.docx", b"PK\x03\x04not really a zip"),
    ("page.pdf", b"<html><script>alert(1)</script></html>"),
])
def test_other_files_are_refused_and_nothing_is_written(ctx, name, data):
    material = db.session.get(Material, make_material(ctx))
    with pytest.raises(materials.ValidationFailed) as refused:
        attachments.add_attachment(None, material, name, data)
    assert refused.value.message == REFUSED and refused.value.field == "file"
    db.session.rollback()
    assert db.session.scalar(select(func.count(MaterialAttachment.id))) == 0
    assert stored_files(ctx) == []


@pytest.mark.app_config(ATTACHMENT_MAX_BYTES=1000)
def test_attachment_size_limit(ctx):
    material = db.session.get(Material, make_material(ctx))
    big = png_bytes((40, 40))
    assert len(big) > 1000
    with pytest.raises(materials.ValidationFailed) as refused:
        attachments.add_attachment(None, material, "big.png", big)
    assert "附件不能超过" in refused.value.message and "0 MB" not in refused.value.message
    with pytest.raises(materials.ValidationFailed, match="文件是空的"):
        attachments.add_attachment(None, material, "empty.pdf", b"")
    db.session.rollback()
    assert db.session.scalar(select(func.count(MaterialAttachment.id))) == 0
    assert stored_files(ctx) == []
    small = attachments.add_attachment(None, material, "a.pdf", b"%PDF-1.4\n%%EOF\n")
    assert small.content_type == "application/pdf"


# --- materials and collections (service) --------------------------------------------


def test_material_fields_are_checked(ctx):
    make_law(ctx)
    with pytest.raises(materials.ValidationFailed) as bad_video:
        materials.create_material(None, materials.MaterialFields(
            title="视频", kind="video", video_url="javascript:alert(1)"))
    assert bad_video.value.field == "video_url"
    with pytest.raises(materials.ValidationFailed) as bad_refs:
        materials.create_material(None, materials.MaterialFields(
            title="资料", kind="article", article_refs="测试法 9"))
    assert bad_refs.value.field == "article_refs" and "第 9 条" in bad_refs.value.message
    material = materials.create_material(None, materials.MaterialFields(
        title="资料", kind="article", article_refs="测试法 1-2；测试法第三条",
        tags=materials.parse_tags("宪法、民法典,宪法 普法")))
    assert [a.number for a in material.articles] == [1, 2, 3]
    assert material.tags == ["宪法", "民法典", "普法"]


def test_tag_and_title_filters(ctx):
    make_material(ctx, "宪法宣传周", tags=["宪法", "普法"])
    make_material(ctx, "宪法学导论", tags=["宪法学"])
    make_material(ctx, "民法典", tags=["民法典"])
    make_material(ctx, "草稿 100%", tags=["宪法"], published=False)

    def titles(**kwargs):
        return sorted(m.title for m in db.session.scalars(materials.material_query(**kwargs)))

    assert titles(tag="宪法") == ["宪法宣传周"]  # a whole tag, not part of 宪法学
    assert titles(tag="宪法", published_only=False) == ["宪法宣传周", "草稿 100%"]
    assert titles(q="宪法") == ["宪法学导论", "宪法宣传周"]
    assert titles(q="%", published_only=False) == ["草稿 100%"]  # % is not a wildcard
    assert titles(published_only=False, published=False) == ["草稿 100%"]


def test_collection_groups_stay_together_and_move_within_their_group(ctx):
    ids = [make_material(ctx, f"资料{n}") for n in range(1, 6)]
    collection = materials.create_collection(None, "十一个坚持", published=True)
    loaded = [db.session.get(Material, i) for i in ids]
    materials.add_to_collection(collection, loaded[0], "坚持党的领导")
    materials.add_to_collection(collection, loaded[1], "坚持以人民为中心")
    materials.add_to_collection(collection, loaded[2], "坚持党的领导")  # joins its group
    materials.add_to_collection(collection, loaded[3], "")
    with pytest.raises(materials.ValidationFailed):
        materials.add_to_collection(collection, loaded[0], "别的分组")
    db.session.commit()

    def shape():
        return [(title, [m.title for m in group])
                for title, group in materials.collection_groups(collection, True)]

    assert shape() == [("坚持党的领导", ["资料1", "资料3"]), ("坚持以人民为中心", ["资料2"]),
                       ("", ["资料4"])]
    entry_3 = db.session.scalar(select(CollectionEntry).filter_by(material_id=ids[2]))
    materials.move_entry(collection, entry_3.id, -1)
    db.session.commit()
    assert shape()[0] == ("坚持党的领导", ["资料3", "资料1"])
    materials.move_entry(collection, entry_3.id, -1)  # already first: nothing moves
    entry_1 = db.session.scalar(select(CollectionEntry).filter_by(material_id=ids[0]))
    materials.move_entry(collection, entry_1.id, 1)  # last of its group: stays there
    db.session.commit()
    assert shape()[:2] == [("坚持党的领导", ["资料3", "资料1"]), ("坚持以人民为中心", ["资料2"])]
    materials.remove_entry(None, collection, entry_3.id)
    db.session.commit()
    assert shape()[0] == ("坚持党的领导", ["资料1"])
    positions = db.session.scalars(select(CollectionEntry.position).where(
        CollectionEntry.collection_id == collection.id).order_by(CollectionEntry.position))
    assert list(positions) == [0, 1, 2]
    loaded[1].published = False
    db.session.commit()
    assert [title for title, _ in shape()] == ["坚持党的领导", ""]


# --- pages --------------------------------------------------------------------------


def test_admin_creates_uploads_publishes_and_staff_read(app, admin_client, make_user):
    law_id = make_law(app)
    response = post_with_csrf(admin_client, "/admin/library/materials/new",
                              "/admin/library/materials/new",
                              material_form(article_refs="测试法 1-2", published=""))
    assert response.status_code == 302
    with app.app_context():
        material = db.session.scalar(select(Material))
        material_id = material.id
        assert material.title == "宪法学习要点" and not material.published
        assert material.tags == ["宪法", "人权"] and material.source == "区司法局"
        assert [(a.law_id, a.number) for a in material.articles] == [(law_id, 1), (law_id, 2)]
        assert "<strong>国家尊重和保障人权</strong>" in material.body_html
    edit_url = f"/admin/library/materials/{material_id}"
    assert response.headers["Location"] == edit_url
    edit_page = admin_client.get(edit_url).get_data(as_text=True)
    assert "测试法 1、2" in edit_page  # the references, as they can be edited again
    assert "宪法、人权" in edit_page

    token = csrf_from(admin_client.get(edit_url))
    upload = admin_client.post(f"{edit_url}/attachments", data={
        "csrf_token": token, "attach-file": (io.BytesIO(pdf_bytes()), "讲义.pdf")},
        content_type="multipart/form-data")
    assert upload.status_code == 302
    with app.app_context():
        attachment = db.session.scalar(select(MaterialAttachment))
        attachment_id = attachment.id
        assert attachment.content_type == "application/pdf"

    staff = staff_client(app, make_user)
    assert staff.get(f"/materials/{material_id}").status_code == 404
    assert staff.get(f"/materials/attachments/{attachment_id}").status_code == 404
    assert "宪法学习要点" not in staff.get("/materials").get_data(as_text=True)
    assert admin_client.get(f"/materials/{material_id}").status_code == 404  # no ?preview
    preview = admin_client.get(f"/materials/{material_id}?preview=1")
    assert preview.status_code == 200 and "尚未发布" in preview.get_data(as_text=True)
    assert staff.get(f"/materials/{material_id}?preview=1").status_code == 404

    published = post_with_csrf(admin_client, edit_url, f"{edit_url}/publish", {"published": "1"})
    assert published.status_code == 302
    listing = staff.get("/materials").get_data(as_text=True)
    assert "宪法学习要点" in listing and f"/materials/{material_id}" in listing
    page = staff.get(f"/materials/{material_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<div class="prose">' in html and "<strong>国家尊重和保障人权</strong>" in html
    assert "区司法局" in html and "学习文章" in html and "尚未发布" not in html
    assert f"/laws/{law_id}/articles/1" in html and "《测试法》第一条" in html
    assert f"/materials/attachments/{attachment_id}" in html and "讲义.pdf" in html
    download = staff.get(f"/materials/attachments/{attachment_id}")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("inline")
    assert download.data == pdf_bytes()
    assert "no-store" in download.headers["Cache-Control"]
    download.close()

    odd = post_with_csrf(admin_client, edit_url, f"{edit_url}/publish", {"published": "yes"})
    assert odd.status_code == 400
    assert staff.get(f"/materials/{material_id}").status_code == 200
    withdrawn = post_with_csrf(admin_client, edit_url, f"{edit_url}/publish", {"published": "0"})
    assert withdrawn.status_code == 302
    assert staff.get(f"/materials/{material_id}").status_code == 404


def test_docx_attachment_is_a_download_and_images_are_inline(app, admin_client, make_user):
    material_id = make_material(app)
    with app.app_context():
        material = db.session.get(Material, material_id)
        word = attachments.add_attachment(None, material, "通知.docx", docx_bytes())
        image = attachments.add_attachment(None, material, "图.png", png_bytes())
        db.session.commit()
        word_id, image_id = word.id, image.id
    staff = staff_client(app, make_user)
    response = staff.get(f"/materials/attachments/{word_id}")
    assert response.mimetype == DOCX_TYPE
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="download.docx"; ' \
        "filename*=UTF-8''%E9%80%9A%E7%9F%A5.docx"
    response.close()
    response = staff.get(f"/materials/attachments/{image_id}")
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()
    assert staff.get("/materials/attachments/9999").status_code == 404


def test_refused_upload_through_the_page(app, admin_client):
    material_id = make_material(app)
    edit_url = f"/admin/library/materials/{material_id}"
    token = csrf_from(admin_client.get(edit_url))
    for name, data in (("setup.pdf", EXE_BYTES), ("a.pdf", zip_bytes()), ("b.pdf", TEXT_BYTES)):
        response = admin_client.post(f"{edit_url}/attachments", data={
            "csrf_token": token, "attach-file": (io.BytesIO(data), name)},
            content_type="multipart/form-data")
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert REFUSED in html
        assert 'value="学习资料"' in html  # the rest of the page is still there
    missing = admin_client.post(f"{edit_url}/attachments", data={"csrf_token": token},
                                content_type="multipart/form-data")
    assert missing.status_code == 422 and "请选择文件" in missing.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(MaterialAttachment.id))) == 0
    assert stored_files(app) == []
    # The refusal was shown at the upload's address: opened again (the address bar, a
    # reload), it is the material's page, not a bare 405 "不支持此请求方式".
    again = admin_client.get(f"{edit_url}/attachments")
    assert again.status_code == 302 and again.headers["Location"] == edit_url


@pytest.mark.app_config(ATTACHMENT_MAX_BYTES=1000)
def test_size_limit_through_the_page(app, admin_client):
    material_id = make_material(app)
    edit_url = f"/admin/library/materials/{material_id}"
    token = csrf_from(admin_client.get(edit_url))
    response = admin_client.post(f"{edit_url}/attachments", data={
        "csrf_token": token, "attach-file": (io.BytesIO(png_bytes((40, 40))), "big.png")},
        content_type="multipart/form-data")
    assert response.status_code == 422 and "附件不能超过" in response.get_data(as_text=True)
    assert stored_files(app) == []


def test_attachment_delete_removes_row_and_file(app, admin_client):
    material_id = make_material(app)
    with app.app_context():
        attachment = attachments.add_attachment(None, db.session.get(Material, material_id),
                                              "a.pdf", pdf_bytes())
        db.session.commit()
        attachment_id = attachment.id
    assert len(stored_files(app)) == 1
    edit_url = f"/admin/library/materials/{material_id}"
    page = admin_client.get(edit_url).get_data(as_text=True)
    assert f"/admin/library/attachments/{attachment_id}/delete" in page and "data-confirm" in page
    response = post_with_csrf(admin_client, edit_url,
                              f"/admin/library/attachments/{attachment_id}/delete")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(MaterialAttachment, attachment_id) is None
    assert stored_files(app) == []


def test_bad_input_re_renders_the_form_with_errors_and_what_was_typed(app, admin_client):
    make_law(app)
    response = post_with_csrf(admin_client, "/admin/library/materials/new",
                              "/admin/library/materials/new",
                              material_form(kind="video", video_url="ftp://example.com/v.mp4"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "视频链接须以 http:// 或 https:// 开头。" in html
    assert 'value="宪法学习要点"' in html and 'value="ftp://example.com/v.mp4"' in html
    assert "国家尊重和保障人权" in html  # the Markdown typed so far
    assert re.search(r'<div class="field has-error">\s*<label for="video_url"', html)

    response = post_with_csrf(admin_client, "/admin/library/materials/new",
                              "/admin/library/materials/new",
                              material_form(article_refs="测试法 7；无此法 1"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "《测试法》没有第 7 条" in html and "找不到法规“无此法”" in html
    assert re.search(r'<div class="field has-error">\s*<label for="article_refs"', html)

    response = post_with_csrf(admin_client, "/admin/library/materials/new",
                              "/admin/library/materials/new", material_form(title=""))
    assert response.status_code == 422 and "请填写标题" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Material.id))) == 0


def test_admin_edits_a_material(app, admin_client):
    material_id = make_material(app, "旧标题", tags=["旧"], published=True)
    edit_url = f"/admin/library/materials/{material_id}"
    bad = post_with_csrf(admin_client, edit_url, edit_url,
                         material_form(title="新标题", video_url="javascript:alert(1)"))
    assert bad.status_code == 422 and 'value="新标题"' in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Material, material_id).title == "旧标题"
    done = post_with_csrf(admin_client, edit_url, edit_url,
                          material_form(title="新标题", tags="新，更新", published="y"))
    assert done.status_code == 302
    with app.app_context():
        material = db.session.get(Material, material_id)
        assert (material.title, material.tags, material.published) == (
            "新标题", ["新", "更新"], True)


def test_staff_list_filters_by_kind_tag_and_title(app, make_user):
    make_material(app, "宪法宣传周活动", tags=["宪法宣传周", "普法"])
    make_material(app, "以案释法：高空抛物", kind="case", tags=["民法典"])
    make_material(app, "未发布的宪法资料", tags=["宪法宣传周"], published=False)
    staff = staff_client(app, make_user)
    everything = staff.get("/materials").get_data(as_text=True)
    assert "宪法宣传周活动" in everything and "高空抛物" in everything
    assert "未发布的宪法资料" not in everything
    by_tag = staff.get("/materials?tag=宪法宣传周").get_data(as_text=True)
    assert "宪法宣传周活动" in by_tag and "高空抛物" not in by_tag
    assert "未发布的宪法资料" not in by_tag
    by_kind = staff.get("/materials?kind=case").get_data(as_text=True)
    assert "高空抛物" in by_kind and "宪法宣传周活动" not in by_kind
    # The list's heading names the filter, not 全部资料.
    assert '<h2 id="materials-heading">以案释法</h2>' in by_kind
    assert '<h2 id="materials-heading">全部资料</h2>' in everything
    by_title = staff.get("/materials?q=高空").get_data(as_text=True)
    assert "高空抛物" in by_title and "宪法宣传周活动" not in by_title
    assert "全部资料：标题含“高空”" in by_title
    nothing = staff.get("/materials?tag=不存在的标签").get_data(as_text=True)
    assert "没有符合条件的学习资料。" in nothing and "（标签：不存在的标签）" in nothing
    page = staff.get("/materials?kind=nonsense&page=99")  # past the end: to the last page
    assert page.status_code == 302 and page.headers["Location"].endswith("page=1")
    last = staff.get(page.headers["Location"]).get_data(as_text=True)
    assert "宪法宣传周活动" in last and "高空抛物" in last


@pytest.mark.app_config(PER_PAGE=2)
def test_staff_list_is_paginated(app, make_user):
    for n in range(5):
        make_material(app, f"分页资料{n}")
    staff = staff_client(app, make_user)
    first = staff.get("/materials").get_data(as_text=True)
    assert first.count("分页资料") == 2 and "第 1 / 3 页" in first
    last = staff.get("/materials?page=3").get_data(as_text=True)
    assert last.count("分页资料") == 1


def test_material_tags_link_to_the_filter(app, make_user):
    material_id = make_material(app, "带标签", tags=["宪法"])
    staff = staff_client(app, make_user)
    html = staff.get(f"/materials/{material_id}").get_data(as_text=True)
    assert "/materials?tag=%E5%AE%AA%E6%B3%95" in html


def test_video_material_links_out_without_embedding(app, make_user):
    with app.app_context():
        material = materials.create_material(None, materials.MaterialFields(
            title="宪法宣誓", kind="video", video_url="https://v.example.cn/watch?id=1",
            published=True))
        db.session.commit()
        material_id = material.id
    staff = staff_client(app, make_user)
    html = staff.get(f"/materials/{material_id}").get_data(as_text=True)
    assert 'href="https://v.example.cn/watch?id=1"' in html
    assert 'rel="noopener noreferrer"' in html
    assert "<iframe" not in html and "<video" not in html


def test_collection_pages_groups_and_moves(app, admin_client, make_user):
    ids = [make_material(app, f"专题资料{n}") for n in range(1, 4)]
    hidden = make_material(app, "未发布资料", published=False)
    response = post_with_csrf(admin_client, "/admin/library/collections",
                              "/admin/library/collections",
                              {"title": "十一个坚持", "description": "学习习近平法治思想"})
    assert response.status_code == 302
    with app.app_context():
        collection_id = db.session.scalar(select(MaterialCollection.id))
    edit_url = f"/admin/library/collections/{collection_id}"
    assert response.headers["Location"] == edit_url
    for material_id, group in ((ids[0], "第一组"), (ids[1], "第二组"), (ids[2], "第一组"),
                               (hidden, "第二组")):
        added = post_with_csrf(admin_client, edit_url, edit_url, {
            "action": "add", "entry-material_id": str(material_id),
            "entry-group_title": group})
        assert added.status_code == 302
    duplicate = post_with_csrf(admin_client, edit_url, edit_url, {
        "action": "add", "entry-material_id": str(ids[0]), "entry-group_title": ""})
    assert duplicate.status_code == 422 and "该资料已在专题中" in duplicate.get_data(as_text=True)

    staff = staff_client(app, make_user)
    assert staff.get(f"/collections/{collection_id}").status_code == 404  # not yet published
    assert "十一个坚持" not in staff.get("/materials").get_data(as_text=True)
    published = post_with_csrf(admin_client, edit_url, edit_url, {
        "action": "edit", "edit-title": "十一个坚持", "edit-description": "学习习近平法治思想",
        "edit-published": "y"})
    assert published.status_code == 302
    assert "十一个坚持" in staff.get("/materials").get_data(as_text=True)

    def staff_order() -> list[str]:
        html = staff.get(f"/collections/{collection_id}").get_data(as_text=True)
        return re.findall(r"第[一二]组|专题资料\d|未发布资料", html)

    assert staff_order() == ["第一组", "专题资料1", "专题资料3", "第二组", "专题资料2"]
    admin_page = admin_client.get(edit_url).get_data(as_text=True)
    assert "未发布资料" in admin_page and "data-confirm" in admin_page

    with app.app_context():
        entry_3 = db.session.scalar(select(CollectionEntry.id).filter_by(material_id=ids[2]))
        entry_1 = db.session.scalar(select(CollectionEntry.id).filter_by(material_id=ids[0]))
    moved = post_with_csrf(admin_client, edit_url, edit_url,
                           {"action": "up", "entry_id": str(entry_3)})
    assert moved.status_code == 302
    assert staff_order() == ["第一组", "专题资料3", "专题资料1", "第二组", "专题资料2"]
    post_with_csrf(admin_client, edit_url, edit_url, {"action": "down", "entry_id": str(entry_3)})
    assert staff_order() == ["第一组", "专题资料1", "专题资料3", "第二组", "专题资料2"]
    removed = post_with_csrf(admin_client, edit_url, edit_url,
                             {"action": "remove", "entry_id": str(entry_1)})
    assert removed.status_code == 302
    assert staff_order() == ["第一组", "专题资料3", "第二组", "专题资料2"]
    with app.app_context():
        assert db.session.get(Material, ids[0]) is not None  # only the entry went
    unknown = post_with_csrf(admin_client, edit_url, edit_url,
                             {"action": "up", "entry_id": "99999"}, follow_redirects=True)
    assert "专题中没有该资料" in unknown.get_data(as_text=True)


def test_collection_form_errors(app, admin_client):
    response = post_with_csrf(admin_client, "/admin/library/collections",
                              "/admin/library/collections", {"title": "", "description": "写了"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "请填写专题名称" in html and "写了" in html
    with app.app_context():
        collection = materials.create_collection(None, "专题")
        db.session.commit()
        collection_id = collection.id
    edit_url = f"/admin/library/collections/{collection_id}"
    response = post_with_csrf(admin_client, edit_url, edit_url,
                              {"action": "add", "entry-group_title": "组"})
    assert response.status_code == 422 and "请选择学习资料" in response.get_data(as_text=True)
    response = post_with_csrf(admin_client, edit_url, edit_url, {"action": "nonsense"})
    assert response.status_code == 400


ADMIN_ROUTES = [
    ("GET", "/admin/library/materials"),
    ("GET", "/admin/library/materials/new"),
    ("POST", "/admin/library/materials/new"),
    ("GET", "/admin/library/materials/{m}"),
    ("POST", "/admin/library/materials/{m}"),
    ("POST", "/admin/library/materials/{m}/attachments"),
    ("POST", "/admin/library/materials/{m}/publish"),
    ("POST", "/admin/library/attachments/{a}/delete"),
    ("GET", "/admin/library/collections"),
    ("POST", "/admin/library/collections"),
    ("GET", "/admin/library/collections/{c}"),
    ("POST", "/admin/library/collections/{c}"),
]


def test_staff_are_refused_on_material_admin_routes(app, make_user):
    material_id = make_material(app, published=False)
    with app.app_context():
        attachment = attachments.add_attachment(None, db.session.get(Material, material_id),
                                              "a.pdf", pdf_bytes())
        collection = materials.create_collection(None, "专题")
        db.session.commit()
        ids = {"m": material_id, "a": attachment.id, "c": collection.id}
    for role in ("staff", "dept_lead", "leader"):
        client = app.test_client()
        token = csrf_from(client.get("/login"))
        user = make_user(roles=(role,))
        client.post("/login", data={"username": user.username, "password": PASSWORD,
                                    "csrf_token": token})
        for method, url in ADMIN_ROUTES:
            response = client.open(url.format(**ids), method=method,
                                   data={"csrf_token": token, "published": "1", "action": "edit",
                                         "edit-title": "x"})
            assert response.status_code == 403, (role, method, url)
    with app.app_context():
        material = db.session.get(Material, material_id)
        assert not material.published and len(material.attachments) == 1
    anonymous = app.test_client()
    assert anonymous.get("/materials").status_code == 302
    assert anonymous.get(f"/materials/attachments/{ids['a']}").status_code == 302


def test_post_without_csrf_token_changes_nothing(app, admin_client):
    material_id = make_material(app, published=False)
    with app.app_context():
        attachment = attachments.add_attachment(None, db.session.get(Material, material_id),
                                              "a.pdf", pdf_bytes())
        db.session.commit()
        attachment_id = attachment.id
    response = admin_client.post(f"/admin/library/materials/{material_id}/publish",
                                 data={"published": "1"})
    assert response.status_code == 400 and "页面已过期" in response.get_data(as_text=True)
    response = admin_client.post(f"/admin/library/attachments/{attachment_id}/delete")
    assert response.status_code == 400
    response = admin_client.post("/admin/library/materials/new", data=material_form())
    assert response.status_code == 400
    with app.app_context():
        assert not db.session.get(Material, material_id).published
        assert db.session.get(MaterialAttachment, attachment_id) is not None
        assert db.session.scalar(select(func.count(Material.id))) == 1
    assert len(stored_files(app)) == 1


def test_admin_material_list(app, admin_client):
    make_material(app, "已发布甲", tags=["宪法"])
    make_material(app, "草稿乙", kind="case", published=False)
    html = admin_client.get("/admin/library/materials").get_data(as_text=True)
    assert "已发布甲" in html and "草稿乙" in html and "未发布" in html
    assert "/admin/library/materials/new" in html
    drafts = admin_client.get("/admin/library/materials?status=draft").get_data(as_text=True)
    assert "草稿乙" in drafts and "已发布甲" not in drafts
    cases = admin_client.get("/admin/library/materials?kind=case").get_data(as_text=True)
    assert "草稿乙" in cases and "已发布甲" not in cases
    found = admin_client.get("/admin/library/materials?q=甲").get_data(as_text=True)
    assert "已发布甲" in found and "草稿乙" not in found
    empty = admin_client.get("/admin/library/materials?q=无此资料").get_data(as_text=True)
    assert "没有符合条件的学习资料" in empty


def test_material_pages_have_no_inline_script_or_style(app, admin_client):
    make_law(app)
    material_id = make_material(app, "检查", refs="测试法 1", tags=["甲"],
                                body="<script>alert(1)</script>\n\n**粗体**")
    for url in ("/materials", f"/materials/{material_id}", "/admin/library/materials",
                f"/admin/library/materials/{material_id}", "/admin/library/materials/new",
                "/admin/library/collections"):
        html = admin_client.get(url).get_data(as_text=True)
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None, url
        assert " style=" not in html, url


def test_withdrawing_names_the_open_plans_that_still_show_the_material(app, admin_client):
    """A plan's reading item keeps the text (nobody is left unable to finish); the admin is
    told so instead of being told that staff no longer see it."""
    from tests.plans.test_kinds import add_item, make_plan

    material_id = make_material(app, title="宪法学习辅导")
    other_id = make_material(app, title="无人引用")
    with app.app_context():
        add_item(make_plan("年度学法计划"), "material", settings={"material_id": material_id})
        add_item(make_plan("草稿计划", status="draft"), "material",
                 settings={"material_id": material_id})
        db.session.commit()
    edit_url = f"/admin/library/materials/{material_id}"
    page = post_with_csrf(admin_client, edit_url, f"{edit_url}/publish", {"published": "0"},
                          follow_redirects=True).get_data(as_text=True)
    assert ("已撤回《宪法学习辅导》，资料库中不再显示；学习计划《年度学法计划》中的阅读事项仍显示"
            "其正文，如需一并撤下，请修改这些计划的事项。") in page
    flash = re.search(r'<p class="flash flash-success"[^>]*>(.*?)</p>', page).group(1)
    assert "草稿计划" not in flash  # nobody reads a draft
    other_url = f"/admin/library/materials/{other_id}"
    page = post_with_csrf(admin_client, other_url, f"{other_url}/publish", {"published": "0"},
                          follow_redirects=True).get_data(as_text=True)
    assert "已撤回《无人引用》，职工不再可见。" in page


def test_a_material_with_nothing_to_read_is_not_published(app, admin_client):
    """An empty 附件 item published before its file was uploaded showed staff "此资料暂无正文"
    and still made them wait to confirm reading it."""
    new = "/admin/library/materials/new"
    refused = post_with_csrf(admin_client, new, new, material_form(
        title="空附件", kind="attachment", body_markdown="", published="y"))
    assert refused.status_code == 422
    assert "这份资料还没有内容，不能发布" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Material)) == 0
    drafted = post_with_csrf(admin_client, new, new, material_form(
        title="空附件", kind="attachment", body_markdown="", published=""))
    edit_url = drafted.headers["Location"]
    publish = post_with_csrf(admin_client, edit_url, f"{edit_url}/publish", {"published": "1"},
                             follow_redirects=True)
    assert "这份资料还没有内容，不能发布" in publish.get_data(as_text=True)
    with app.app_context():
        assert not db.session.scalar(select(Material.published))
    token = csrf_from(admin_client.get(edit_url))
    admin_client.post(f"{edit_url}/attachments", data={
        "csrf_token": token, "attach-file": (io.BytesIO(pdf_bytes()), "讲义.pdf")},
        content_type="multipart/form-data")
    published = post_with_csrf(admin_client, edit_url, f"{edit_url}/publish", {"published": "1"},
                               follow_redirects=True)
    assert "已发布《空附件》" in published.get_data(as_text=True)
