from django.utils.translation import gettext_lazy as _

from hyte.core.errors import NotFoundForUser


class UnitNotFound(NotFoundForUser):
    code = "unit_not_found"
    default_message = _("The unit was not found.")
