# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Who may act by mail: delivery schedules mailed to the schedules@ alias and
shipment confirmations mailed to dispatch@, delivered through Odoo's mail gateway
(``message_process`` with raw RFC 822 messages). A From header proves nothing; only
the receiving server's ``Authentication-Results`` (DMARC or aligned DKIM pass) of our
own authserv-id does."""

from email.message import EmailMessage
from email.utils import make_msgid

from odoo.exceptions import UserError
from odoo.tests import BaseCase, tagged

from ..models.mail_authentication import (
    parse_authentication_results,
    sender_authenticated,
)
from . import test_schedule_edifact
from .test_schedule_version import VersionCase
from .test_third_party_fulfilment import (
    FulfilmentCase,
    confirmed_3pl_order,
    shipment_csv,
)

AUTHSERV_ID = "mx.sop.example"
PARAM = "sales_order_plus.mail_authserv_id"


def raw_mail(sender, to, subject, attachments, auth_results=()):
    """A raw RFC 822 message as the receiving mail server hands it to Odoo: its
    ``Authentication-Results`` headers first (topmost), as a server prepends them."""
    message = EmailMessage()
    for value in auth_results:
        message["Authentication-Results"] = value
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-Id"] = make_msgid()
    message.set_content("Please find the file attached.")
    for filename, content, maintype, subtype in attachments:
        message.add_attachment(
            content, maintype=maintype, subtype=subtype, filename=filename
        )
    return message.as_bytes()


def passed(domain, authserv_id=AUTHSERV_ID):
    return (
        f"{authserv_id}; dkim=pass (2048-bit key) header.d={domain} header.s=s1 "
        f"header.b=AbCd; spf=pass smtp.mailfrom={domain}; "
        f"dmarc=pass (p=reject dis=none) header.from={domain}"
    )


@tagged("post_install", "-at_install")
class TestAuthenticationResults(BaseCase):
    """The header's reader: plain Python (RFC 8601), no database."""

    def test_parse(self):
        header = (
            "mx.sop.example 1; (a comment; with a semicolon) dkim=pass "
            'reason="good (signature)" header.d=Customer.Example header.i=@sub; '
            "spf=fail smtp.mailfrom=x.example;DMARC=Pass (p=none) "
            "header.from=customer.example"
        )
        authserv_id, results = parse_authentication_results(header)
        self.assertEqual(authserv_id, "mx.sop.example")
        self.assertEqual(
            [(r["method"], r["result"]) for r in results],
            [("dkim", "pass"), ("spf", "fail"), ("dmarc", "pass")],
        )
        self.assertEqual(results[0]["header.d"], "customer.example")
        self.assertEqual(results[0]["reason"], "good (signature)")
        self.assertEqual(results[2]["header.from"], "customer.example")
        self.assertEqual(parse_authentication_results("mx.sop.example; none")[1], [])
        self.assertEqual(parse_authentication_results(""), (None, []))
        self.assertEqual(parse_authentication_results("(only a comment)"), (None, []))

    def test_verdict(self):
        ours = {"mx.sop.example"}
        sender = "dispo@edi.customer.example"
        check = sender_authenticated
        self.assertTrue(check([passed("customer.example")], ours, sender))
        # Another server's header (or the sender's own) is not ours.
        self.assertFalse(
            check([passed("customer.example", "mx.evil.example")], ours, sender)
        )
        # Only our topmost header counts: a forged one of our id below it does not.
        fail = "mx.sop.example; dkim=fail header.d=customer.example; dmarc=fail"
        self.assertFalse(
            check([fail, passed("customer.example")], ours, sender),
        )
        # DKIM of another domain than the From address proves nothing.
        self.assertFalse(
            check(["mx.sop.example; dkim=pass header.d=evil.example"], ours, sender)
        )
        self.assertTrue(
            check(["mx.sop.example; dkim=pass header.d=customer.example"], ours, sender)
        )
        # DMARC of another From domain neither; SPF alone is not enough.
        self.assertFalse(
            check(["mx.sop.example; dmarc=pass header.from=evil.example"], ours, sender)
        )
        self.assertFalse(check(["mx.sop.example; spf=pass"], ours, sender))
        self.assertFalse(check([passed("customer.example")], set(), sender))
        self.assertFalse(check([passed("customer.example")], ours, "not-an-address"))
        # A look-alike domain is not aligned.
        self.assertFalse(
            check(["mx.sop.example; dkim=pass header.d=mer.example"], ours, sender)
        )


@tagged("post_install", "-at_install")
class TestScheduleMailTrust(VersionCase):
    """Schedules mailed to the schedules@ alias."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.email = "purchasing@customer.example"
        cls.env["ir.config_parameter"].sudo().set_param(PARAM, AUTHSERV_ID)
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "SOP Other Customer", "is_company": True}
        )
        cls.other_contact = cls.env["res.partner"].create(
            {
                "name": "Mallory",
                "parent_id": cls.other_customer.id,
                "email": "mallory@other.example",
            }
        )
        alias = cls.env.ref("sales_order_plus.mail_alias_schedule_inbox")
        domain = alias.alias_domain_id or cls.env["mail.alias.domain"].search(
            [], limit=1
        )
        if not domain:
            domain = cls.env["mail.alias.domain"].create({"name": "sop.example.com"})
        alias.alias_domain_id = domain
        cls.alias_address = f"schedules@{domain.name}"

    def _delfor(self, **kwargs):
        return test_schedule_edifact.TestScheduleEdifact._delfor(self, **kwargs)

    def _mail(self, sender, auth_results=(), content=None):
        raw = raw_mail(
            sender,
            self.alias_address,
            "DELFOR",
            [("delfor.edi", content or self._delfor(), "application", "EDIFACT")],
            auth_results,
        )
        res_id = self.env["mail.thread"].message_process(False, raw)
        return self.env["sale.order.schedule.inbox"].browse(res_id)

    def _agreement_with_sender(self):
        order = self._agreement()
        order.sop_schedule_sender_emails = "EDI <dispo@edi.customer.example>"
        return order

    def test_unknown_sender_lands_unmatched(self):
        order = self._agreement_with_sender()
        before = self._schedule(order)
        inbox = self._mail("Someone <someone@elsewhere.example>")
        self.assertEqual(inbox.state, "unmatched")
        self.assertIn("someone@elsewhere.example", inbox.reason)
        version = inbox.version_ids
        self.assertFalse(version.order_id)
        self.assertEqual(version.state, "held")
        self.assertEqual(self._schedule(order), before)

    def test_another_customers_contact_lands_unmatched(self):
        order = self._agreement_with_sender()
        before = self._schedule(order)
        # Even authenticated: the sender is someone, just not this customer.
        inbox = self._mail("Mallory <mallory@other.example>", [passed("other.example")])
        self.assertEqual(inbox.state, "unmatched")
        self.assertIn("mallory@other.example", inbox.reason)
        self.assertFalse(inbox.version_ids.order_id)
        self.assertNotEqual(inbox.version_ids.state, "applied")
        self.assertEqual(self._schedule(order), before)
        # A CSV naming the agreement in its subject neither.
        csv = f"Product,Date,Quantity\nSOP-BOLT,{self.day(15)},999\n".encode()
        raw = raw_mail(
            "mallory@other.example",
            self.alias_address,
            "Schedule AG-100",
            [("schedule.csv", csv, "text", "csv")],
            [passed("other.example")],
        )
        inbox = self.env["sale.order.schedule.inbox"].browse(
            self.env["mail.thread"].message_process(False, raw)
        )
        self.assertEqual(inbox.state, "unmatched")
        self.assertFalse(inbox.version_ids)
        self.assertEqual(self._schedule(order), before)

    def test_forged_sender_without_authentication_is_held(self):
        order = self._agreement_with_sender()
        before = self._schedule(order)
        # The agreement's own sender address in From, but no proof: no header at
        # all, a header of another server, a DKIM pass of another domain.
        for index, auth in enumerate(
            (
                (),
                (passed("edi.customer.example", "mx.evil.example"),),
                (f"{AUTHSERV_ID}; dkim=pass header.d=evil.example; dmarc=none",),
            )
        ):
            inbox = self._mail(
                "EDI <dispo@edi.customer.example>",
                auth,
                content=self._delfor(number=f"DF-{index}"),
            )
            version = inbox.version_ids
            self.assertEqual(version.order_id, order)
            self.assertEqual(version.state, "held", auth)
            self.assertIn("authentication", version.reason)
            self.assertEqual(self._schedule(order), before)
        # A person who checked it with the customer applies it.
        version.with_user(self.salesman).action_apply()
        self.assertEqual(version.state, "applied")
        self.assertNotEqual(self._schedule(order), before)

    def test_customer_contact_not_on_the_agreement_is_held(self):
        order = self._agreement_with_sender()
        before = self._schedule(order)
        inbox = self._mail(
            "Purchasing <purchasing@customer.example>", [passed("customer.example")]
        )
        self.assertEqual(inbox.version_ids.order_id, order)
        self.assertEqual(inbox.version_ids.state, "held")
        self.assertIn("purchasing@customer.example", inbox.version_ids.reason)
        self.assertEqual(self._schedule(order), before)

    def test_authenticated_sender_on_the_agreement_is_applied(self):
        order = self._agreement_with_sender()
        inbox = self._mail(
            "EDI <dispo@edi.customer.example>", [passed("customer.example")]
        )
        self.assertEqual(inbox.state, "matched", inbox.reason)
        version = inbox.version_ids
        self.assertEqual((version.order_id, version.source), (order, "mail"))
        self.assertEqual(version.state, "applied", version.reason)
        self.assertEqual(
            self._schedule(order, self.product_b),
            {("SOP-BOLT", 10): (250.0, "firm", "released")},
        )


@tagged("post_install", "-at_install")
class TestDispatchMailTrust(FulfilmentCase):
    """Shipment confirmation CSVs mailed to the dispatch@ alias."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(PARAM, AUTHSERV_ID)

    def _mail(self, sender, dispatch, auth_results=(), report_ref="M-1"):
        raw = raw_mail(
            sender,
            "dispatch@example.com",
            f"Shipped {dispatch.name}",
            [
                (
                    "shipment.csv",
                    shipment_csv(
                        [[dispatch.name, "SOP-RACK", "3", "GLS", "777", "", report_ref]]
                    ),
                    "text",
                    "csv",
                )
            ],
            auth_results,
        )
        return self.env["mail.thread"].message_process("sale.third.party.dispatch", raw)

    def test_forged_fulfiller_address_ships_nothing(self):
        order = confirmed_3pl_order(self, qty=3.0)
        dispatch = order.sop_dispatch_ids
        thread_id = self._mail("Pia <pia@3pl.example.com>", dispatch)
        self.assertEqual(thread_id, dispatch.id)
        self.assertEqual(dispatch.state, "sent")
        self.assertFalse(dispatch.report_ids)
        self.assertEqual(order.order_line.qty_delivered, 0.0)
        # Held for a person: an activity on the dispatch order says why.
        activity = dispatch.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("authentication", str(activity.note))
        self.assertEqual(activity.user_id, order.user_id)

    def test_authenticated_fulfiller_contact_ships(self):
        order = confirmed_3pl_order(self, qty=3.0)
        dispatch = order.sop_dispatch_ids
        self._mail("Pia <pia@3pl.example.com>", dispatch, [passed("3pl.example.com")])
        self.assertEqual(dispatch.state, "shipped")
        self.assertEqual(dispatch.report_ids.channel, "mail")
        self.assertEqual(order.order_line.qty_delivered, 3.0)

    def test_other_senders_are_refused(self):
        order = confirmed_3pl_order(self, qty=3.0)
        dispatch = order.sop_dispatch_ids
        # A stranger, and another fulfiller's contact (authenticated, but this
        # dispatch order is not addressed to its company).
        other = self.env["res.partner"].create(
            {"name": "SOP Other 3PL", "is_company": True}
        )
        self.env["res.partner"].create(
            {"name": "Olaf", "parent_id": other.id, "email": "olaf@other3pl.example"}
        )
        for sender, auth in (
            ("someone@elsewhere.example", [passed("elsewhere.example")]),
            ("olaf@other3pl.example", [passed("other3pl.example")]),
        ):
            with self.assertRaises(UserError):
                self._mail(sender, dispatch, auth)
        self.assertFalse(dispatch.report_ids)
        self.assertEqual(order.order_line.qty_delivered, 0.0)

    def test_gateway_entry_points_are_not_rpc_methods(self):
        # The mail gateway's message_new receives what the gateway parsed (the
        # authentication verdict included): no RPC client may call it directly.
        for model in ("sale.third.party.dispatch", "sale.order.schedule.inbox"):
            method = type(self.env[model]).message_new
            self.assertTrue(getattr(method, "_api_private", False), model)
