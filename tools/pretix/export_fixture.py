"""Builds a small event series in a real pretix and writes its "Order data" export, order
positions sheet, as pretix writes it: in English (commas) and in French (semicolons).

Run with pretix's Python, its settings pointing at a migrated database:
    PRETIX_CONFIG_FILE=pretix.cfg python -m pretix shell < tools/pretix/export_fixture.py
It writes positions_en.csv and positions_fr.csv into $FIXTURE_DIR (default: the current
directory). The data is fixed by a seed; pretix assigns order codes and secrets itself.
"""
import datetime
import os
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import translation
from django_scopes import scopes_disabled

from pretix.base.exporters.orderlist import OrderListExporter
from pretix.base.models import (
    Event, InvoiceAddress, Item, Order, OrderPosition, Organizer, Quota, SubEvent, TaxRule,
)

out = os.environ.get("FIXTURE_DIR", ".")
rng = random.Random(7)
paris = ZoneInfo("Europe/Paris")

with scopes_disabled():
    Organizer.objects.filter(slug="quatre-vents").delete()
    organizer = Organizer.objects.create(name="Théâtre des Quatre Vents", slug="quatre-vents")
    event = Event.objects.create(
        organizer=organizer, name="Les Fantômes en fanfare", slug="fantomes",
        date_from=datetime.datetime(2026, 10, 14, 20, 30, tzinfo=paris),
        currency="EUR", has_subevents=True,
    )
    event.settings.timezone = "Europe/Paris"
    event.settings.locale = "fr"
    tax = TaxRule.objects.create(event=event, name="TVA spectacle", rate=Decimal("5.50"))
    items = [
        Item.objects.create(event=event, name="Plein tarif", default_price=Decimal("25.00"), tax_rule=tax),
        Item.objects.create(event=event, name="Tarif réduit", default_price=Decimal("15.50"), tax_rule=tax),
        Item.objects.create(event=event, name="Invitation", default_price=Decimal("0.00"), tax_rule=tax),
    ]
    dates = [
        datetime.datetime(2026, 10, 14, 20, 30, tzinfo=paris),
        datetime.datetime(2026, 10, 15, 20, 30, tzinfo=paris),
        datetime.datetime(2026, 10, 18, 16, 0, tzinfo=paris),
    ]
    subevents = []
    for d in dates:
        se = SubEvent.objects.create(event=event, name="Les Fantômes en fanfare", date_from=d, active=True)
        quota = Quota.objects.create(event=event, subevent=se, name="Salle", size=180)
        quota.items.add(*items)
        subevents.append(se)
    postcodes = [("37000", "Tours"), ("37300", "Joué-lès-Tours"), ("37540", "Saint-Cyr-sur-Loire"),
                 ("75011", "Paris"), ("37170", "Chambray-lès-Tours")]
    statuses = [Order.STATUS_PAID] * 7 + [Order.STATUS_PENDING, Order.STATUS_CANCELED, Order.STATUS_EXPIRED]
    for n in range(40):
        status = rng.choice(statuses)
        placed = datetime.datetime(2026, 9, 1, 9, 0, tzinfo=paris) + datetime.timedelta(
            days=rng.randrange(40), minutes=rng.randrange(600))
        order = Order.objects.create(
            event=event, status=status, email=f"client{n}@exemple.fr", datetime=placed,
            expires=placed + datetime.timedelta(days=7), total=Decimal("0.00"), locale="fr",
            sales_channel=organizer.sales_channels.get(identifier="web"),
        )
        se = rng.choice(subevents)
        total = Decimal("0.00")
        for p in range(1, rng.randrange(1, 4) + 1):
            item = rng.choice(items)
            canceled = status == Order.STATUS_PAID and rng.random() < 0.1
            OrderPosition.all.create(
                order=order, item=item, subevent=se, positionid=p, price=item.default_price,
                tax_rate=tax.rate, tax_rule=tax,
                tax_value=(item.default_price * tax.rate / (100 + tax.rate)).quantize(Decimal("0.01")),
                attendee_name_parts={"_legacy": f"Spectateur {n}-{p}"}, canceled=canceled,
            )
            if not canceled:
                total += item.default_price
        order.total = total
        order.save()
        zipcode, city = rng.choice(postcodes)
        InvoiceAddress.objects.create(order=order, name_parts={"_legacy": f"Client {n}"},
                                      zipcode=zipcode, city=city, country="FR")

    for language, fmt, name in [("en", "positions:default", "positions_en.csv"),
                                ("fr", "positions:semicolon", "positions_fr.csv")]:
        with translation.override(language):
            exporter = OrderListExporter(event=event, organizer=organizer)
            _, _, data = exporter.render({"_format": fmt, "paid_only": False,
                                          "include_payment_amounts": False,
                                          "group_multiple_choice": False})
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        print("wrote", name, len(data), "bytes")
