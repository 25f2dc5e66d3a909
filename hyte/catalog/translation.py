from modeltranslation.translator import TranslationOptions, register

from hyte.catalog import models


@register(models.WellbeingServicesCounty)
class CountyTR(TranslationOptions):
    fields = ("name",)


@register(models.Municipality)
class MunicipalityTR(TranslationOptions):
    fields = ("name",)


@register(models.ServiceClass)
class ServiceClassTR(TranslationOptions):
    fields = ("name",)


@register(models.TargetGroup)
class TargetGroupTR(TranslationOptions):
    fields = ("name",)


@register(models.Theme)
class ThemeTR(TranslationOptions):
    fields = ("name", "description")


@register(models.ServiceLanguage)
class ServiceLanguageTR(TranslationOptions):
    fields = ("name",)


@register(models.Organization)
class OrganizationTR(TranslationOptions):
    fields = ("name", "description")


@register(models.Location)
class LocationTR(TranslationOptions):
    fields = ("name", "street_address", "post_office", "accessibility")


@register(models.Service)
class ServiceTR(TranslationOptions):
    fields = ("name", "summary", "description", "keywords", "cost_description")


@register(models.Schedule)
class ScheduleTR(TranslationOptions):
    fields = ("description",)


@register(models.Phone)
class PhoneTR(TranslationOptions):
    fields = ("description",)


@register(models.Contact)
class ContactTR(TranslationOptions):
    fields = ("title",)


@register(models.Event)
class EventTR(TranslationOptions):
    fields = ("title", "description")


@register(models.ServiceCapacity)
class ServiceCapacityTR(TranslationOptions):
    fields = ("note",)
