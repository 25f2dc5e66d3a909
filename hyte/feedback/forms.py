from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hyte.feedback.models import MAX_TEXT, FeedbackAnswer


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied were you overall?"),
        help_text=_("1 = very dissatisfied, 5 = very satisfied"),
        choices=[
            ("1", _("1 – very dissatisfied")),
            ("2", _("2 – dissatisfied")),
            ("3", _("3 – neither satisfied nor dissatisfied")),
            ("4", _("4 – satisfied")),
            ("5", _("5 – very satisfied")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a rating from 1 to 5."),
            "invalid_choice": _("Choose a rating from 1 to 5."),
        },
    )
    recommend = forms.ChoiceField(
        label=_("Would you recommend this to a friend?"),
        choices=FeedbackAnswer.Recommend.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether you would recommend the service."),
            "invalid_choice": _("Choose whether you would recommend the service."),
        },
    )
    text = forms.CharField(
        label=_("Anything else you would like to tell us? (optional)"),
        help_text=_("Do not write your name or other details about yourself. At most 1000 characters."),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_TEXT}),
    )
    nonce = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class MeetingLinkForm(forms.Form):
    meeting = forms.UUIDField(widget=forms.HiddenInput)
    language = forms.ChoiceField(
        label=_("Language of the form"),
        choices=[("fi", "suomi"), ("sv", "svenska"), ("en", "English")],
        required=False,
    )
