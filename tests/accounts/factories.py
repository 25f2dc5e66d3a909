from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from hyte.accounts.models import Membership, Unit, UnitRole
from tests.catalog.factories import OrganizationFactory


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        self.set_password(extracted or "correct-horse-battery")
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Membership.Role.EDITOR


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    organization = factory.SubFactory(OrganizationFactory)
    kind = Unit.Kind.COUNTY_UNIT
    name_fi = factory.Sequence(lambda n: f"Yksikkö {n}")
    name = factory.LazyAttribute(lambda o: o.name_fi)


class UnitRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitRole

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = UnitRole.Role.PROFESSIONAL
