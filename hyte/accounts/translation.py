from modeltranslation.translator import TranslationOptions, register

from hyte.accounts.models import Unit, UnitCapacity


@register(Unit)
class UnitTranslation(TranslationOptions):
    fields = ("name",)


@register(UnitCapacity)
class UnitCapacityTranslation(TranslationOptions):
    fields = ("note",)
