from modeltranslation.translator import TranslationOptions, register

from hyte.accounts.models import Unit


@register(Unit)
class UnitTranslation(TranslationOptions):
    fields = ("name",)
