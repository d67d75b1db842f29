import factory
from factory.django import DjangoModelFactory

from dispatch.models import City, Courier, District, Province, ServiceArea, Site, User


class ProvinceFactory(DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ("code",)

    code = "33"
    name = "浙江省"


class CityFactory(DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("code",)

    province = factory.SubFactory(ProvinceFactory)
    code = factory.LazyAttribute(lambda o: f"{o.province.code}01")
    name = "杭州市"


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("adcode",)

    city = factory.SubFactory(CityFactory)
    province = factory.LazyAttribute(lambda o: o.city.province)
    adcode = factory.Sequence(lambda n: f"{n:06d}")
    name = factory.Sequence(lambda n: f"测试{n}区")


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:07d}")
    name = factory.Sequence(lambda n: f"测试网点{n}")
    district = factory.SubFactory(DistrictFactory)
    province = factory.LazyAttribute(lambda o: o.district.province)
    email = factory.LazyAttribute(lambda o: f"site-{o.code.lower()}@test.q9.example")


class CourierFactory(DjangoModelFactory):
    class Meta:
        model = Courier

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"业务员{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")


class ServiceAreaFactory(DjangoModelFactory):
    class Meta:
        model = ServiceArea

    site = factory.SubFactory(SiteFactory)
    district = factory.LazyAttribute(lambda o: o.site.district)
    priority = 10


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@test.q9.example")
    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or "pass-12345")
        if create:
            obj.save(update_fields=["password"])
