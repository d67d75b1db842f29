import factory
from factory.django import DjangoModelFactory

from core.models import City, Courier, District, Province, ServiceArea, Site, User


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


_order_seq = iter(range(1, 10**9))


def order_data(**overrides) -> dict:
    """Intake data for one order sent from 杭州西湖区 (served by the test network's site_a)."""
    n = next(_order_seq)
    data = {
        "channel_order_id": f"LP{n:010d}",
        "sender_name": "张三",
        "sender_phone": "13812345678",
        "sender_province": "浙江省",
        "sender_city": "杭州市",
        "sender_district": "西湖区",
        "sender_address": "文三路90号",
        "receiver_name": "李四",
        "receiver_phone": "13998765432",
        "receiver_province": "北京市",
        "receiver_city": "北京市",
        "receiver_district": "朝阳区",
        "receiver_address": "建国路1号",
        "goods": "衣服",
        "weight_kg": "1.5",
    }
    data.update(overrides)
    return data


def channel_get(slug: str):
    """A channel of the seed migration (re-created after a transactional test flushed the tables)."""
    from orders.models import Channel
    from orders.services import channels_ensure

    channel = Channel.objects.filter(slug=slug).first()
    return channel or channels_ensure()[slug]


def make_order(*, channel="taobao", at=None, actor=None, **overrides):
    """An order taken in through the real intake service (routing, clocks, event)."""
    from orders.services import order_create

    ch = channel_get(channel) if isinstance(channel, str) else channel
    # taken in at its order time unless told otherwise (an order arriving later starts its accept clock then)
    at = at or overrides.get("order_time")
    return order_create(channel=ch, data=order_data(**overrides), at=at, actor=actor).order
