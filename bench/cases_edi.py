"""Delivery schedule versions by EDI: importing and applying a DELFOR of 50 items x 26
weekly buckets onto an agreement, then the same agreement's next DELFOR that changes
five quantities (only the changes are written), and the same DELFOR received twice."""

from datetime import timedelta

from odoo import Command

ITEMS = 50
WEEKS = 26
FIRM_WEEKS = 4


def _agreement(b, order_type, products, ref):
    """A confirmed agreement of ``products``, each scheduled once far ahead."""
    far = b.today() + timedelta(days=400)
    order = b.env["sale.order"].create(
        {
            "partner_id": b.customer().id,
            "type_id": order_type.id,
            "client_order_ref": ref,
            "order_line": [
                Command.create(
                    {
                        "product_id": product.id,
                        "product_uom_qty": 1.0,
                        "schedule_line_ids": [
                            Command.create({"date": far, "product_uom_qty": 1.0})
                        ],
                    }
                )
                for product in products
            ],
        }
    )
    order.action_confirm()
    return order


def _delfor(b, products, ref, number, changed=()):
    """A DELFOR: per product, FIRM_WEEKS firm weeks then forecast weeks (CCYYWW);
    ``changed``: (product index, week index) whose quantity is 10 more."""
    first = b.today() + timedelta(days=7)
    weeks = []
    for w in range(WEEKS):
        year, week, _day = (first + timedelta(weeks=w)).isocalendar()
        weeks.append(f"{year}{week:02d}")
    segments = [
        "UNA:+.? '",
        f"UNB+UNOC:3+BUYER:14+SELLER:14+260101:0800+{number}'",
        "UNH+1+DELFOR:D:96A:UN'",
        f"BGM+241+{number}+9'",
        f"DTM+137:{b.today():%Y%m%d}:102'",
        f"RFF+ON:{ref}'",
    ]
    for p, product in enumerate(products):
        segments += [f"LIN+++{product.default_code}:SA'", "QTY+70:1000'"]
        segments.append("SCC+1'")
        for w, week in enumerate(weeks):
            if w == FIRM_WEEKS:
                segments.append("SCC+4++W'")
            qty = 100 + w + (10 if (p, w) in changed else 0)
            segments += [f"QTY+113:{qty}'", f"DTM+2:{week}:616'"]
    segments += [f"UNT+{len(segments) - 1}+1'", f"UNZ+1+{number}'"]
    return "\n".join(segments).encode()


def case_edi_delfor_versions(b):
    order_type = b.ref("sales_order_plus.type_delivery_schedule")
    order_type.write(
        {
            "schedule_release_horizon": 14,
            "schedule_version_tolerance": False,
            "schedule_reservation": "by_date",  # a new type's default
        }
    )
    products = b.products(ITEMS, stock=100000.0)
    for product in products:
        product.default_code = f"EDI-{product.id}"
    Version = b.env["sale.order.schedule.version"]

    def receive(content):
        versions = Version._sop_version_receive_edifact(content, "delfor.edi", "edi")
        assert versions.state == "applied", versions.reason
        return versions

    def first_version():
        ref = b.uid("AG")
        _agreement(b, order_type, products, ref)
        return _delfor(b, products, ref, f"{ref}-1")

    def check_first(content):
        version = receive(content)
        lines = version.order_id.schedule_line_ids.filtered(lambda s: not s.cancelled)
        assert len(lines) == ITEMS * WEEKS, len(lines)

    first_label = f"EDI: DELFOR {ITEMS} items x {WEEKS} weeks, import and apply"
    b.measure(first_label, first_version, check_first, repeat=3)

    changed = ((0, 1), (7, 5), (13, 9), (21, 15), (42, 25))

    def second_version():
        ref = b.uid("AG")
        _agreement(b, order_type, products, ref)
        receive(_delfor(b, products, ref, f"{ref}-1"))
        return _delfor(b, products, ref, f"{ref}-2", changed=changed)

    def check_second(content):
        version = receive(content)
        assert len(version.change_ids) == len(changed), len(version.change_ids)

    b.measure(
        f"EDI: next DELFOR of the agreement, {len(changed)} quantities changed",
        second_version,
        check_second,
        baseline=first_label,
        repeat=3,
    )

    def same_again():
        ref = b.uid("AG")
        _agreement(b, order_type, products, ref)
        content = _delfor(b, products, ref, f"{ref}-1")
        receive(content)
        return content

    def check_duplicate(content):
        version = Version._sop_version_receive_edifact(content, "delfor.edi", "edi")
        assert version.state == "rejected", version.state

    b.measure(
        "EDI: the same DELFOR received twice (duplicate, nothing changes)",
        same_again,
        check_duplicate,
        baseline=first_label,
        repeat=3,
    )
