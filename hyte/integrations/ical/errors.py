"""Coded errors of the iCalendar integration (see hyte.core.errors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hyte.core.errors import DomainError, InvalidParameter, NotFoundForUser


class IcalError(DomainError):
    """Base class: a feed could not be used."""

    code = "ical_error"
    default_message = _("The calendar feed could not be used.")


class IcalFetchError(IcalError):
    """The feed could not be read over the network."""

    code = "ical_fetch_failed"
    http_status = 502
    default_message = _("The calendar feed could not be fetched.")


class IcalUnsupportedUrl(IcalFetchError):
    code = "ical_unsupported_url"
    http_status = 400
    default_message = _("Only http and https addresses can be fetched.")


class IcalHttpError(IcalFetchError):
    code = "ical_http_error"
    default_message = _("The calendar server did not return the feed.")


class IcalTimeout(IcalFetchError):
    code = "ical_timeout"
    http_status = 504
    default_message = _("The calendar server did not answer in time.")


class IcalTooLarge(IcalFetchError):
    code = "ical_too_large"
    default_message = _("The calendar feed is too large.")


class IcalParseError(IcalError):
    """The content is not an iCalendar file we can read; nothing is changed."""

    code = "ical_invalid"
    http_status = 422
    default_message = _("The file is not a valid iCalendar (.ics) file.")


class IcalFeedNotFound(NotFoundForUser):
    code = "ical_feed_not_found"
    default_message = _("No such calendar feed.")


class IcalInvalidFeed(InvalidParameter):
    code = "ical_feed_invalid"
    default_message = _("The calendar feed settings are not valid.")
