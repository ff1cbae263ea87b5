"""The storage audit on the local file store (the S3 run is in tests/test_storage_s3.py):
missing files of live and in-review revisions found, mailed once, resolved when back; files
nothing points to found by the full pass only, and only when older than the grace period."""

import os
import time
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from catalog.models import OutboxMessage, StorageAuditRun, StorageProblem
from catalog.services import metadata as svc
from catalog.services import storage_audit as audit
from tests.test_storage_s3 import values
from tests.validation import samples

pytestmark = pytest.mark.django_db

MISSING = StorageProblem.Kind.MISSING
ORPHAN = StorageProblem.Kind.ORPHAN


@pytest.fixture
def live_revision(partner_user, staff_user, integration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        svc.metadata_save(
            actor=partner_user, integration_id=integration.pk, values=values(), submit=True
        )
        return svc.metadata_review(
            actor=staff_user, integration_id=integration.pk, number=1, approve=True
        )


def stored_names(revision) -> set[str]:
    image = revision.images.get()
    return {revision.logo.name, revision.mark.name, image.image.name, image.thumbnail.name}


def open_names(kind) -> set[str]:
    return set(
        StorageProblem.objects.filter(kind=kind, resolved_at__isnull=True).values_list(
            "name", flat=True
        )
    )


def storage_mails() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(event="catalog.storage.files_missing"))


def test_a_complete_store_has_no_problems(live_revision):
    run = audit.storage_audit(full=True)
    assert (run.missing, run.orphans, run.stored) == (0, 0, 4)
    assert run.finished_at is not None and run.checked == 8
    assert not StorageProblem.objects.exists()


def test_a_missing_file_of_a_live_revision_is_found_and_mailed_once(live_revision, staff_user):
    # given: the logo of the live revision is lost
    default_storage.delete(live_revision.logo.name)
    # when
    first = audit.storage_audit(full=False)
    second = audit.storage_audit(full=True)
    # then: found by both passes, mailed once, shown as in use
    assert first.missing == second.missing == 1
    problem = StorageProblem.objects.get(kind=MISSING)
    assert problem.name == live_revision.logo.name
    assert (problem.field, problem.in_use) == ("logo", True)
    assert problem.revision == live_revision and problem.notified_at is not None
    mails = storage_mails()
    assert [m.recipient for m in mails] == [staff_user.email]
    assert live_revision.logo.name in mails[0].body_text
    assert "Acme Events" in mails[0].body_text


def test_a_file_put_back_is_resolved_and_a_new_loss_is_mailed_again(live_revision):
    name = live_revision.mark.name
    default_storage.delete(name)
    audit.storage_audit(full=False)
    # when the file comes back
    default_storage.save(name, samples_file())
    audit.storage_audit(full=False)
    # then
    assert open_names(MISSING) == set()
    # and a second loss is a new problem, mailed again
    default_storage.delete(name)
    audit.storage_audit(full=False)
    assert open_names(MISSING) == {name}
    assert len(storage_mails()) == 2


def samples_file():
    from django.core.files.base import ContentFile

    return ContentFile(samples.MARK_SVG)


def test_a_missing_file_of_an_old_draft_is_listed_but_not_mailed(partner_user, integration):
    revision = svc.metadata_save(actor=partner_user, integration_id=integration.pk, values=values())
    default_storage.delete(revision.logo.name)
    audit.storage_audit(full=True)
    problem = StorageProblem.objects.get(kind=MISSING)
    assert problem.in_use is False
    assert storage_mails() == []


def test_an_emptied_store_is_found_whole(live_revision, partner_user, integration):
    draft = svc.metadata_save(actor=partner_user, integration_id=integration.pk, values=values())
    referenced = set(audit.references())
    assert referenced >= stored_names(live_revision) | {draft.logo.name, draft.mark.name}
    for name in list(audit.stored_files()):
        default_storage.delete(name)
    run = audit.storage_audit(full=True)
    assert open_names(MISSING) == referenced
    assert run.missing == len(referenced) and run.stored == 0


def test_orphans_are_found_by_the_full_pass_after_the_grace_period(live_revision):
    # given: two files nothing points to, one old, one just uploaded
    old = default_storage.save("assets/" + "a" * 32 + ".png", samples_file())
    young = default_storage.save("assets/" + "b" * 32 + ".png", samples_file())
    past = time.time() - audit.ORPHAN_GRACE.total_seconds() - 60
    os.utime(default_storage.path(old), (past, past))
    # when
    quick = audit.storage_audit(full=False)
    full = audit.storage_audit(full=True)
    # then: the quick pass never judges orphans; the full pass finds the old one only
    assert quick.orphans == 0
    assert full.orphans == 1 and open_names(ORPHAN) == {old}
    assert young not in open_names(ORPHAN)
    # and once it is deleted, the next full pass resolves it
    default_storage.delete(old)
    audit.storage_audit(full=True)
    assert open_names(ORPHAN) == set()


def test_the_quick_pass_asks_only_about_new_references_and_known_problems(
    live_revision, partner_user, integration, monkeypatch
):
    # given a revision from an hour ago, a full pass since, then a new draft with its own files
    type(live_revision).objects.filter(pk=live_revision.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    audit.storage_audit(full=True)
    draft = svc.metadata_save(actor=partner_user, integration_id=integration.pk, values=values())
    asked = []
    real = type(default_storage._wrapped).exists

    def exists(self, name):
        asked.append(name)
        return real(self, name)

    monkeypatch.setattr(type(default_storage._wrapped), "exists", exists)
    # when
    audit.storage_audit(full=False)
    # then: only the draft's files were asked about, not the older live revision's
    assert set(asked) == {draft.logo.name, draft.mark.name} | {
        i.image.name for i in draft.images.all()
    } | {i.thumbnail.name for i in draft.images.all() if i.thumbnail}
    assert live_revision.logo.name not in asked


def test_every_pass_is_recorded(live_revision):
    audit.storage_audit(full=True)
    audit.storage_audit(full=False)
    runs = list(StorageAuditRun.objects.order_by("started_at"))
    assert [r.full for r in runs] == [True, False]
    assert all(r.finished_at and r.seconds >= 0 for r in runs)


def test_the_public_page_of_an_integration_with_a_lost_logo_stays_up(
    client, live_revision, integration
):
    from catalog.models import Stage

    integration.stage = Stage.PUBLIC
    integration.save(update_fields=["stage"])
    default_storage.delete(live_revision.logo.name)
    page = client.get(f"/catalog/{integration.slug}/")
    assert page.status_code == 200
    assert client.get("/" + live_revision.logo.name).status_code == 404


# --- The staff page -----------------------------------------------------------------------------


def test_staff_see_missing_files_in_use_first(client, staff_user, live_revision):
    default_storage.delete(live_revision.logo.name)
    audit.storage_audit(full=True)
    client.force_login(staff_user)
    page = client.get("/staff/storage/")
    assert page.status_code == 200
    body = page.content.decode()
    assert live_revision.logo.name in body and "live or in review" in body
    assert "Full" in body


def test_the_storage_page_costs_the_same_queries_for_many_problems(
    client, staff_user, django_assert_max_num_queries
):
    for n in range(60):
        StorageProblem.objects.create(kind=MISSING, name=f"assets/{n:032d}.png", in_use=n % 2)
    client.force_login(staff_user)
    with django_assert_max_num_queries(12):
        assert client.get("/staff/storage/").status_code == 200
