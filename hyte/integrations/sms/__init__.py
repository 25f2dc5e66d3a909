"""Text messages (SMS) behind one small interface, like Django's e-mail backends.

``HYTE_SMS_BACKEND`` names the backend class: ``console.ConsoleBackend`` (default: writes the message
to standard output, for development), ``locmem.LocmemBackend`` (keeps messages in ``outbox``, for
tests). A production backend for the county's SMS gateway implements ``send_messages``. Message texts
and numbers are never written to the application log.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str


class SmsBackend(Protocol):
    def send_messages(self, messages: list[SmsMessage]) -> int: ...


class ConsoleBackend:
    def send_messages(self, messages: list[SmsMessage]) -> int:
        for message in messages:
            sys.stdout.write(f"SMS to {message.to}:\n{message.text}\n{'-' * 40}\n")
        return len(messages)


outbox: list[SmsMessage] = []


class LocmemBackend:
    def send_messages(self, messages: list[SmsMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


def send_sms(to: str, text: str) -> int:
    backend: SmsBackend = import_string(settings.HYTE_SMS_BACKEND)()
    return backend.send_messages([SmsMessage(to=to, text=text)])
