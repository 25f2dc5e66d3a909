from django.contrib import admin

from hyte.accounts.models import Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role"]
    autocomplete_fields = ["organization"]
    search_fields = ["user__username", "organization__name_fi"]
