from modeltranslation.translator import TranslationOptions, register

from hyte.pathways.models import Programme


@register(Programme)
class ProgrammeTranslationOptions(TranslationOptions):
    fields = ("name", "description")
