from celery import shared_task

from . import services


@shared_task(name="people.welcome_mail", acks_late=True)
def welcome_mail_task(user_ids: list[int]) -> int:
    return services.welcome_mail_send(user_ids=user_ids)
