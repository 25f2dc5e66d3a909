from modeltranslation.translator import TranslationOptions, register

from hyte.attendance.models import PassProgramme


@register(PassProgramme)
class PassProgrammeTranslationOptions(TranslationOptions):
    fields = ("name", "description", "reward_text")
