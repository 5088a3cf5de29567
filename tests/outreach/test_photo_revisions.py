"""Photos of a verified event: an admin's upload, removal or change of the summary photo is a
numbered revision (like a change to its fields), shown in the event's history; staff and
department leads stay locked out. Unverified events keep their plain photo entries."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from lawlearn.accounts.models import AuditEntry
from lawlearn.database import utcnow
from lawlearn.errors import Conflict, PermissionDenied
from lawlearn.extensions import db
from lawlearn.outreach import access, history, photos, services
from lawlearn.outreach.models import OutreachEvent, OutreachPhoto
from tests.conftest import csrf_from
from tests.outreach.test_events import People, draft, fields, make_people, user
from tests.outreach.test_photos import jpeg


@pytest.fixture
def people(make_department, make_user, admin) -> People:
    return make_people(make_department, make_user, admin)


def verified(people: People, *names: str) -> OutreachEvent:
    """A verified event with photos ``names`` uploaded by its author while it was a draft."""
    event = draft(people)
    for name in names:
        photos.add_photo(user(people.author), event, name, jpeg(), utcnow())
    services.submit_event(user(people.lead), event, utcnow())
    services.verify_event(user(people.admin), event, utcnow())
    db.session.commit()
    return event


def entries(event_id: int, action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.target_id == event_id, AuditEntry.action == action)
        .order_by(AuditEntry.id)))


def revisions(event_id: int) -> list[AuditEntry]:
    return entries(event_id, "outreach.event.revise")


def test_photo_changes_to_a_verified_event_are_numbered_revisions(ctx, people):
    event = verified(people, "IMG_0001.jpg")
    admin = user(people.admin)
    kept = event.photos[0]
    services.update_event(admin, event, fields(participants=400), utcnow())  # revision 1
    db.session.commit()

    added = photos.add_photo(admin, event, "IMG_0100.jpg", jpeg(), utcnow())
    db.session.commit()
    second = revisions(event.id)[-1]
    assert second.details["revision"] == 2 and second.actor_id == admin.id
    assert second.details["changed"] == ["photos"]
    assert second.details["photos_added"] == [{"photo_id": added.id, "name": "IMG_0100.jpg"}]
    assert "（第 2 次修订）" in second.summary and "活动照片：新增 IMG_0100.jpg" in second.summary

    photos.set_featured(admin, kept, True)
    db.session.commit()
    third = revisions(event.id)[-1]
    assert third.details["revision"] == 3 and "总结照片：选入 IMG_0001.jpg" in third.summary
    photos.set_featured(admin, kept, True)  # no change, no revision
    assert len(revisions(event.id)) == 3

    removed_id = kept.id
    photos.remove_photo(admin, kept)
    db.session.commit()
    fourth = revisions(event.id)[-1]
    assert fourth.details["revision"] == 4 and "（第 4 次修订）" in fourth.summary
    assert "活动照片：删除 IMG_0001.jpg" in fourth.summary
    assert fourth.details["photos_removed"] == [
        {"photo_id": removed_id, "name": "IMG_0001.jpg", "featured": True}]
    assert db.session.get(OutreachPhoto, removed_id) is None

    # The next field revision follows on; nothing was logged as a plain photo entry.
    services.update_event(admin, event, fields(participants=410), utcnow())
    assert revisions(event.id)[-1].details["revision"] == 5
    assert history.revision_count(event) == 5
    assert len(entries(event.id, "outreach.photo.add")) == 1  # the author's, while a draft
    assert entries(event.id, "outreach.photo.remove") == []
    assert entries(event.id, "outreach.photo.feature") == []
    assert event.status == "verified"


def test_one_upload_of_several_photos_is_one_revision(ctx, people):
    event = verified(people)
    admin = user(people.admin)
    added = photos.add_photos(admin, event, [("a.jpg", jpeg()), ("b.jpg", jpeg())], utcnow())
    db.session.commit()
    [revision] = revisions(event.id)
    assert revision.details["revision"] == 1 and "活动照片：新增 a.jpg、b.jpg" in revision.summary
    assert [ref["photo_id"] for ref in revision.details["photos_added"]] == [p.id for p in added]


def test_a_refused_upload_to_a_verified_event_is_no_revision(ctx, people):
    event = verified(people)
    with pytest.raises(photos.PhotosRefused):
        photos.add_photos(user(people.admin), event, [("a.jpg", jpeg()),
                                                      ("notes.jpg", b"text, renamed")], utcnow())
    db.session.rollback()
    assert revisions(event.id) == [] and event.photos == []


def test_staff_and_leads_are_still_refused_on_a_verified_event(ctx, people):
    event = verified(people, "IMG_0001.jpg")
    photo = event.photos[0]
    for person in (people.author, people.colleague, people.lead, people.unit_lead):
        with pytest.raises(Conflict, match="已审核"):
            photos.add_photo(user(person), event, "late.jpg", jpeg(), utcnow())
        with pytest.raises(Conflict, match="已审核"):
            photos.add_photos(user(person), event, [("late.jpg", jpeg())], utcnow())
        with pytest.raises(Conflict, match="已审核"):
            photos.remove_photo(user(person), photo)
    # The lead chooses summary photos while the event is open, not after verification.
    assert not access.can_feature_photo(user(people.lead), event)
    with pytest.raises(Conflict, match="已审核"):
        photos.set_featured(user(people.lead), photo, True)
    with pytest.raises(PermissionDenied):
        photos.set_featured(user(people.author), photo, True)
    db.session.rollback()
    assert [p.original_name for p in event.photos] == ["IMG_0001.jpg"] and not photo.featured
    assert revisions(event.id) == []


def test_unverified_events_keep_plain_photo_entries(ctx, people):
    event = draft(people)
    photo = photos.add_photo(user(people.author), event, "a.jpg", jpeg(), utcnow())
    photos.set_featured(user(people.lead), photo, True)
    services.submit_event(user(people.lead), event, utcnow())
    photos.set_featured(user(people.lead), photo, False)  # submitted: the lead still may
    photos.remove_photo(user(people.admin), photo)
    db.session.commit()
    assert len(entries(event.id, "outreach.photo.add")) == 1
    assert len(entries(event.id, "outreach.photo.feature")) == 2
    assert len(entries(event.id, "outreach.photo.remove")) == 1
    assert revisions(event.id) == []


def test_the_admin_event_page_lists_photo_revisions(app, admin_client, people):
    with app.app_context():
        event_id = verified(people, "IMG_0001.jpg").id
        photo_id = db.session.scalar(select(OutreachPhoto.id).where(
            OutreachPhoto.event_id == event_id))
    url = f"/admin/outreach/events/{event_id}"
    page = admin_client.get(url)
    assert "都将记为一次修订" in page.get_data(as_text=True)
    response = admin_client.post(f"/outreach/events/{event_id}/photos", data={
        "csrf_token": csrf_from(page), "next": url,
        "photos": [(io.BytesIO(jpeg()), "IMG_0100.jpg")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    admin_client.post(f"/outreach/photos/{photo_id}/delete",
                      data={"csrf_token": csrf_from(page), "next": url})
    html = admin_client.get(url).get_data(as_text=True)
    assert "（第 1 次修订）：活动照片：新增 IMG_0100.jpg" in html
    assert "（第 2 次修订）：活动照片：删除 IMG_0001.jpg" in html
    with app.app_context():
        assert [e.details["revision"] for e in revisions(event_id)] == [1, 2]


def test_the_lead_sees_no_feature_button_on_a_verified_event(app, client, login, people):
    with app.app_context():
        event_id = verified(people, "IMG_0001.jpg").id
    login(people.lead)
    html = client.get(f"/outreach/events/{event_id}").get_data(as_text=True)
    assert "活动照片（1）" in html
    assert "选入总结" not in html and "上传照片" not in html and "记为一次修订" not in html
