"""Account emails that must not make the request's answer depend on the address."""

from celery import shared_task

__all__ = ["password_reset_email"]


@shared_task(ignore_result=True, acks_late=True)
def password_reset_email(email: str) -> int:
    from catalog.services.accounts import password_reset_for_address

    return password_reset_for_address(email=email)
