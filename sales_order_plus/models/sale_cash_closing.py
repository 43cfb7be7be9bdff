# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import create_unique_index, index_exists

from .integrity import lock_nowait, raise_problems


class SaleCashClosing(models.Model):
    """The daily cash closing of a cash journal (optionally per cashier).

    No parallel ledger: the day's cash is read from Odoo's own payments of the
    journal (``account.payment``, posted: the counter's hand-overs, the cash sales
    settled at confirmation, the counter refunds), so the expected amount is what
    accounting already knows: opening balance (the previous closing's counted cash)
    + cash received - cash paid back.

    The difference between counted and expected is booked as a statement line of
    the cash journal (``account.bank.statement.line``) whose counterpart is the
    journal's profit or loss account (``profit_account_id`` / ``loss_account_id``),
    as Odoo's Point of Sale books a cash difference when it closes a session: the
    journal's cash account then holds what is in the drawer, the difference lands
    in the account the accountants configured for it, and the line needs no
    reconciliation (its counterpart is final). A plain ``account.move`` would do
    the same booking but would not show in the cash journal's statement lines,
    where the accountant reconciles the drawer.
    """

    _name = "sale.cash.closing"
    _description = "Daily Cash Closing"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    journal_id = fields.Many2one(
        comodel_name="account.journal",
        string="Cash Journal",
        required=True,
        check_company=True,
        domain="[('type', '=', 'cash')]",
        default=lambda self: self._default_journal(),
    )
    company_id = fields.Many2one(
        related="journal_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(
        comodel_name="res.currency", compute="_compute_currency_id"
    )
    date = fields.Date(
        required=True,
        default=lambda self: self._sop_cash_today(),
        tracking=True,
        help="The company's day (its time zone), whoever closes.",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Cashier",
        help="Close the cash this cashier took only (payments they registered). "
        "Empty: the whole journal.",
    )
    state = fields.Selection(
        selection=[("draft", "Open"), ("closed", "Closed")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    opening_balance = fields.Monetary(
        compute="_compute_opening_balance",
        store=True,
        help="Cash in the drawer at the start of the day: the counted amount of the "
        "journal's previous closing. It cannot be changed: a different amount in the "
        "drawer is a difference of this closing, booked.",
    )
    payment_ids = fields.Many2many(
        comodel_name="account.payment",
        string="Cash Payments",
        compute="_compute_amounts",
    )
    cash_in = fields.Monetary(string="Cash Received", compute="_compute_amounts")
    cash_out = fields.Monetary(string="Cash Refunded", compute="_compute_amounts")
    expected = fields.Monetary(
        compute="_compute_amounts",
        help="Opening balance + cash received - cash refunded on the day (posted "
        "payments of the journal; once closed, those registered until the closing).",
    )
    line_ids = fields.One2many(
        comodel_name="sale.cash.closing.line",
        inverse_name="closing_id",
        string="Denominations",
    )
    counted = fields.Monetary(
        compute="_compute_counted",
        store=True,
        readonly=False,
        tracking=True,
        help="Cash counted in the drawer; summed from the denominations when they "
        "are entered.",
    )
    difference = fields.Monetary(compute="_compute_amounts")
    statement_line_id = fields.Many2one(
        comodel_name="account.bank.statement.line",
        string="Difference Booked",
        readonly=True,
        copy=False,
    )
    closed_by_id = fields.Many2one(
        comodel_name="res.users", string="Closed By", readonly=True, copy=False
    )
    date_closed = fields.Datetime(string="Closed On", readonly=True, copy=False)

    def init(self):
        # One closing per journal, day and cashier (or none), even from two
        # sessions at once.
        name = "sale_cash_closing_journal_date_user_uniq"
        if not index_exists(self.env.cr, name):
            create_unique_index(
                self.env.cr,
                name,
                self._table,
                ["journal_id", "date", "COALESCE(user_id, 0)"],
            )

    @api.model
    def _sop_cash_tz(self, company):
        """The company's time zone: its calendar's, else its own, else UTC."""
        return company.resource_calendar_id.tz or company.partner_id.tz or "UTC"

    @api.model
    def _sop_cash_today(self, company=None):
        """Today in the company's time zone: one drawer has one day, whatever the
        time zone of who takes the cash or closes it (a cashier without one would
        be a day behind at 23:30 UTC)."""
        company = company or self.env.company
        return fields.Date.context_today(
            self.with_context(tz=self._sop_cash_tz(company))
        )

    @api.model
    def _sop_cash_payment_day(self, journal, user=None):
        """The day cash taken now in ``journal`` belongs to: the company's today,
        or once that day is closed (as a whole, or the cashier's own closing) the
        next day that is not, whose closing then counts it. A closed day keeps its
        figures."""
        user = user or self.env.user
        day = self._sop_cash_today(journal.company_id)
        closed = set(
            self.sudo()
            .search(
                [
                    ("journal_id", "=", journal.id),
                    ("date", ">=", day),
                    ("state", "=", "closed"),
                    ("user_id", "in", (False, user.id)),
                ]
            )
            .mapped("date")
        )
        while day in closed:
            day += timedelta(days=1)
        return day

    @api.model
    def _default_journal(self):
        return self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self.env.company),
                ("type", "=", "cash"),
            ],
            limit=1,
        )

    @api.depends("journal_id", "date", "user_id")
    def _compute_name(self):
        for closing in self:
            parts = [closing.journal_id.name or "", str(closing.date or "")]
            if closing.user_id:
                parts.append(closing.user_id.name)
            closing.name = " - ".join(parts)

    @api.depends("journal_id")
    def _compute_currency_id(self):
        for closing in self:
            closing.currency_id = (
                closing.journal_id.currency_id
                or closing.company_id.currency_id
                or self.env.company.currency_id
            )

    @api.depends("journal_id", "date", "user_id")
    def _compute_opening_balance(self):
        for closing in self:
            domain = [
                ("journal_id", "=", closing.journal_id.id),
                ("state", "=", "closed"),
                ("date", "<", closing.date),
            ]
            if closing.user_id:
                # The cashier's own till: what they counted last.
                domain.append(("user_id", "=", closing.user_id.id))
            previous = self.search(domain, order="date desc", limit=1)
            if not closing.user_id and previous:
                # The whole drawer: all that was counted on the last closed day
                # (one closing, or the cashiers' when that day was closed per
                # cashier).
                previous = self.search(domain[:-1] + [("date", "=", previous.date)])
            closing.opening_balance = sum(previous.mapped("counted"))

    def _payment_domain(self):
        self.ensure_one()
        domain = [
            ("journal_id", "=", self.journal_id.id),
            ("date", "=", self.date),
            ("state", "in", ("in_process", "paid")),
        ]
        if self.user_id:
            domain.append(("create_uid", "=", self.user_id.id))
        if self.date_closed:
            # A closed day keeps its figures.
            domain.append(("create_date", "<=", self.date_closed))
        return domain

    @api.depends("journal_id", "date", "user_id", "opening_balance", "counted")
    def _compute_amounts(self):
        Payment = self.env["account.payment"].sudo()
        for closing in self:
            payments = (
                Payment.search(closing._payment_domain())
                if closing.journal_id and closing.date
                else Payment
            )
            closing.payment_ids = payments
            closing.cash_in = sum(
                closing._payment_amount(p)
                for p in payments
                if p.payment_type == "inbound"
            )
            closing.cash_out = sum(
                closing._payment_amount(p)
                for p in payments
                if p.payment_type == "outbound"
            )
            closing.expected = (
                closing.opening_balance + closing.cash_in - closing.cash_out
            )
            closing.difference = closing.currency_id.round(
                closing.counted - closing.expected
            )

    def _payment_amount(self, payment):
        """The payment in the drawer's (journal's) currency at the payment's rate:
        what its entry booked on the journal's account, not its face value."""
        self.ensure_one()
        currency = self.currency_id
        if payment.currency_id == currency:
            return payment.amount
        liquidity = payment._seek_for_lines()[0]
        if currency == self.company_id.currency_id:
            return currency.round(abs(sum(liquidity.mapped("balance"))))
        in_currency = liquidity.filtered(lambda ln: ln.currency_id == currency)
        if in_currency:
            return currency.round(abs(sum(in_currency.mapped("amount_currency"))))
        return payment.currency_id._convert(
            payment.amount, currency, self.company_id, payment.date
        )

    @api.depends("line_ids.subtotal")
    def _compute_counted(self):
        for closing in self:
            if closing.line_ids:
                closing.counted = sum(closing.line_ids.mapped("subtotal"))

    # ------------------------------------------------------------------
    # Rules: one closing per journal, day and cashier; closed is final
    # ------------------------------------------------------------------
    @api.model
    def _closing_only_fields(self):
        """Set by the closing itself (the previous count, ``action_close``), never by
        a user: a closing typed in as closed, or with a lower opening, would hide a
        difference that is then never booked."""
        return {
            "state",
            "opening_balance",
            "statement_line_id",
            "closed_by_id",
            "date_closed",
        }

    def _check_closing_only_fields(self, vals):
        # Superuser mode is the add-on's own code (action_close); a user or an RPC
        # client, whatever its rights, never is.
        if self.env.su:
            return
        names = sorted(self._closing_only_fields() & set(vals))
        if names:
            raise UserError(
                _(
                    "These fields of a cash closing are set by the closing itself "
                    "(the previous closing's count, Close), not by hand: "
                    "%(fields)s.",
                    fields=", ".join(
                        self._fields[name].get_description(self.env)["string"]
                        for name in names
                    ),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_closing_only_fields(vals)
        for vals in vals_list:
            if not vals.get("date") and vals.get("journal_id"):
                journal = self.env["account.journal"].browse(vals["journal_id"])
                vals["date"] = self._sop_cash_today(journal.company_id)
        # Refused before the insert: the unique index would only say "duplicate".
        for vals in vals_list:
            self.new(self._add_missing_default_values(vals))._check_unique()
        closings = super().create(vals_list)
        closings._check_unique()
        return closings

    def _check_unique(self):
        problems = []
        for closing in self:
            same_day = [
                ("id", "not in", closing.ids),
                ("journal_id", "=", closing.journal_id.id),
                ("date", "=", closing.date),
            ]
            # Per cashier or as a whole, never both: the whole journal's closing
            # counts the cashiers' payments again, and books their difference twice.
            other_way = self.sudo().search(
                same_day
                + [
                    ("user_id", "=", False)
                    if closing.user_id
                    else ("user_id", "!=", False)
                ],
                limit=1,
            )
            if other_way:
                problems.append(
                    _(
                        "%(journal)s on %(date)s is closed per cashier or as a whole, "
                        "not both: %(other)s exists.",
                        journal=closing.journal_id.name,
                        date=closing.date,
                        other=other_way.name,
                    )
                )
                continue
            others = self.sudo().search_count(
                same_day + [("user_id", "=", closing.user_id.id)]
            )
            if others:
                # No f-string inside _(): the term extraction (babel) fails on it.
                cashier = " (" + closing.user_id.name + ")" if closing.user_id else ""
                problems.append(
                    _(
                        "%(journal)s on %(date)s%(cashier)s is already closed or "
                        "being closed.",
                        journal=closing.journal_id.name,
                        date=closing.date,
                        cashier=cashier,
                    )
                )
        raise_problems(_("A day is closed once:"), problems)

    def write(self, vals):
        self._check_closing_only_fields(vals)
        if set(vals) - self._chatter_fields():
            self._check_open()
        res = super().write(vals)
        if {"journal_id", "date", "user_id"} & set(vals):
            self._check_unique()
        return res

    @api.model
    def _chatter_fields(self):
        """What may still change on a closed closing (its messages, followers)."""
        return {
            name for name in self._fields if name.startswith(("message_", "activity_"))
        }

    def _check_open(self):
        closed = self.filtered(lambda c: c.state == "closed")
        if closed:
            raise UserError(
                _(
                    "These cash closings are locked: %(closings)s.",
                    closings=", ".join(closed.mapped("name")),
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_if_open(self):
        self._check_open()

    # ------------------------------------------------------------------
    # Closing
    # ------------------------------------------------------------------
    def _pending_collections(self):
        """Orders of the journal's company to be collected on the day (promised
        delivery date) and still awaiting collection: the counter's day is not over
        while a customer is expected to pay and take goods."""
        self.ensure_one()
        orders = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("sop_cash_awaiting_collection", "=", True),
                    ("commitment_date", "!=", False),
                ]
            )
        )
        tz_orders = orders.with_context(tz=self._sop_cash_tz(self.company_id))
        return orders.browse(
            [
                order.id
                for order in tz_orders
                if fields.Datetime.context_timestamp(
                    order, order.commitment_date
                ).date()
                == self.date
            ]
        )

    def action_close(self):
        """Book the difference and lock the closing, once."""
        # Who may not change the closing books nothing (the booking is sudo).
        self.check_access("write")
        lock_nowait(
            self,
            _(
                "%(closings)s is being closed by another user.",
                closings=", ".join(self.mapped("name")),
            ),
        )
        self.invalidate_recordset()
        self._check_open()
        # Created side by side in two sessions, both could exist: the second to
        # close is refused (the row locks of the day's closings serialize it).
        lock_nowait(
            self.search(
                [
                    ("journal_id", "in", self.journal_id.ids),
                    ("date", "in", self.mapped("date")),
                ]
            )
            - self,
            _("Another closing of the same day is being closed."),
        )
        self._check_unique()
        problems = []
        for closing in self:
            pending = closing._pending_collections()
            if pending:
                problems.append(
                    _(
                        "%(closing)s: still awaiting collection today: %(orders)s. "
                        "Hand the goods over or move the delivery date first.",
                        closing=closing.name,
                        orders=", ".join(pending.mapped("name")),
                    )
                )
            journal = closing.journal_id
            difference = closing.difference
            if closing.currency_id.compare_amounts(difference, 0.0) < 0 and (
                not journal.loss_account_id
            ):
                problems.append(
                    _(
                        "%(closing)s: set the loss account of the journal "
                        "%(journal)s for cash differences.",
                        closing=closing.name,
                        journal=journal.name,
                    )
                )
            if closing.currency_id.compare_amounts(difference, 0.0) > 0 and (
                not journal.profit_account_id
            ):
                problems.append(
                    _(
                        "%(closing)s: set the profit account of the journal "
                        "%(journal)s for cash differences.",
                        closing=closing.name,
                        journal=journal.name,
                    )
                )
        raise_problems(_("The cash cannot be closed:"), problems)
        for closing in self:
            vals = {
                "state": "closed",
                "closed_by_id": self.env.uid,
                "date_closed": fields.Datetime.now(),
            }
            if not closing.currency_id.is_zero(closing.difference):
                vals["statement_line_id"] = closing._book_difference().id
            closing.sudo().write(vals)
        # The open days after these start with what was counted now.
        later = self.sudo().search(
            [
                ("journal_id", "in", self.journal_id.ids),
                ("date", ">", min(self.mapped("date"))),
                ("state", "=", "draft"),
            ]
        )
        if later:
            self.env.add_to_compute(self._fields["opening_balance"], later)
            later.flush_recordset(["opening_balance"])
        return True

    def action_print(self):
        self.check_access("read")
        # No document layout set-up wizard in the middle of the closing.
        return self.env.ref(
            "sales_order_plus.action_report_sale_cash_closing"
        ).report_action(self, config=False)

    def _book_difference(self):
        """A statement line of the cash journal for the difference, against the
        journal's profit or loss account (as the Point of Sale does)."""
        self.ensure_one()
        journal = self.journal_id
        account = (
            journal.profit_account_id
            if self.difference > 0
            else journal.loss_account_id
        )
        # Cashiers close the drawer without accounting rights.
        return (
            self.env["account.bank.statement.line"]
            .sudo()
            .with_company(self.company_id)
            .create(
                {
                    "journal_id": journal.id,
                    "date": self.date,
                    "amount": self.difference,
                    "payment_ref": _("Cash difference %(closing)s", closing=self.name),
                    "counterpart_account_id": account.id,
                }
            )
        )
