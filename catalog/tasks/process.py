"""Beat tasks that run the process: deploys, partner reminders, the staff digest. Each calls one
idempotent service, so a repeated or late run changes and sends nothing twice."""

from celery import shared_task

__all__ = ["deploy_merged_pull_requests", "send_partner_reminders", "send_staff_digest"]


@shared_task(ignore_result=True, acks_late=True)
def deploy_merged_pull_requests() -> int:
    from catalog.services.deploys import pull_requests_deploy_due

    return len(pull_requests_deploy_due().deployed)


@shared_task(ignore_result=True, acks_late=True)
def send_partner_reminders() -> int:
    from catalog.services.reminders import partner_reminders_send

    return len(partner_reminders_send())


@shared_task(ignore_result=True, acks_late=True)
def send_staff_digest() -> int:
    from catalog.services.reminders import staff_digest_send

    return staff_digest_send()
