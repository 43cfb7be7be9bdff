# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Integrity helpers shared by the kinds.

* ``lock_nowait``: row locks for steps that must not run twice at once (confirmation,
  cash settlements): the second caller gets a clear, retryable error at once instead of
  doing the work twice or waiting for the first one's transaction.
* ``lock_wait``: the same row locks for steps that must both run, one after the other
  (invoicing an order from two postings at once).
* ``lock_available``: the same row locks for work that many may start and one must do
  (schedule releases): the others skip the locked rows.
* ``refuse_derived_writes``: the type and kind stored on transfers, invoices and orders
  are copies kept by Odoo's recomputation; a direct write would make a transfer claim
  another kind than its order (and the kinds act on it).
* ``lock_claim``: row locks on what a promise is computed from (the products of an
  availability check): the rows are marked changed, so that a transaction that
  computed from the same rows before ours committed fails to serialize instead of
  promising the same goods again (Odoo retries it, and it sees our promise).
* ``raise_problems``: checks collect every problem first and refuse once, so the user
  fixes all of them in one go instead of one per try.
* ``risk_bypassed`` / ``risk_override``: OCA's ``bypass_risk`` context key honoured
  for who may go over a credit limit, or for what the add-on's own steps flagged
  (models/sale_order_credit.py).
* ``finite_quantity`` / ``refuse_non_finite``: numbers from outside (files, the API,
  RPC values) are finite and bounded; nan and infinity are refused with a clear
  message instead of Odoo's ValueError while rounding them.
* ``internal_flag`` / ``has_internal_flag``: a signal between the add-on's own steps
  ("already checked", "written by the check itself"). A context key cannot carry it:
  any RPC client sends any context. The flag lives on the cursor, set by server code
  for a block and removed after it, so no request can bring it along.
"""

import math
from contextlib import contextmanager

from psycopg2 import errors as pg_errors

from odoo import SUPERUSER_ID
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

# No line of a schedule, shipment or file is this large: beyond, a quantity from
# outside is a typing or encoding error (the versions hold it as "not plausible").
MAX_QUANTITY = 1e9
# What any number field of the add-on takes at all: beyond, a float no longer holds
# whole units exactly, and Odoo's rounding fails on nan and infinity (ValueError).
MAX_NUMBER = 1e15

CREDIT_MANAGER = "sales_order_plus.group_sop_credit_manager"
RISK_MANAGER = "account_financial_risk.group_account_financial_risk_manager"
RISK_OVERRIDE = "credit_risk_override"


def lock_nowait(records, message=None, error=UserError):
    """Lock the rows of ``records`` until the end of the transaction, or raise a
    UserError (or ``error``: queue_job's RetryableJobError in a job) if another
    transaction holds them.

    The lock is taken in a savepoint so that a refusal leaves the cursor usable, and
    without logging the failed query (it is an expected outcome, not a fault).
    """
    if not records.ids:
        return
    cr = records.env.cr
    try:
        with cr.savepoint(flush=False):
            cr.execute(
                SQL(
                    "SELECT id FROM %s WHERE id IN %s FOR UPDATE NOWAIT",
                    SQL.identifier(records._table),
                    tuple(records.ids),
                ),
                log_exceptions=False,
            )
    except pg_errors.LockNotAvailable:
        raise error(
            message
            or records.env._(
                "%(records)s is being processed by another user or process. "
                "Please try again in a moment.",
                records=", ".join(records.mapped("display_name")),
            )
        ) from None


def lock_wait(records):
    """Lock the rows of ``records`` until the end of the transaction, waiting for
    another transaction that holds them (steps that must run one after the other, both
    to the end: two postings invoicing the same order). When the other one changed the
    rows meanwhile, PostgreSQL's serialization failure makes Odoo retry the request,
    which then sees its work."""
    if not records.ids:
        return
    records.env.cr.execute(
        SQL(
            "SELECT id FROM %s WHERE id IN %s FOR UPDATE",
            SQL.identifier(records._table),
            tuple(records.ids),
        )
    )


def lock_available(records, condition=None):
    """Lock the rows of ``records`` that no other transaction holds (and that match
    the SQL ``condition``) until the end of the transaction, and return them.

    For work that several may start at once and only one may do (releasing schedule
    lines): the others skip what is locked instead of waiting or failing. A row that
    another transaction changed and committed after ours started raises psycopg2's
    SerializationFailure: our snapshot is outdated, and the work must be redone in a
    new transaction (Odoo retries RPC calls for it; a batch job skips the record).
    """
    if not records.ids:
        return records.browse()
    records.flush_recordset()
    cr = records.env.cr
    cr.execute(
        SQL(
            "SELECT id FROM %s WHERE id IN %s AND %s"
            " ORDER BY id FOR UPDATE SKIP LOCKED",
            SQL.identifier(records._table),
            tuple(records.ids),
            condition or SQL("TRUE"),
        ),
        log_exceptions=False,
    )
    return records.browse([row[0] for row in cr.fetchall()])


def lock_claim(records):
    """Lock the rows of ``records`` until the end of the transaction (waiting for
    another transaction that holds them) and mark them changed.

    Locking alone is not enough under Odoo's repeatable-read transactions: the
    second of two availability checks waits for the first, then computes from its
    snapshot, taken before the first committed, and promises the same goods. The
    no-op update makes PostgreSQL refuse that second transaction (serialization
    failure); Odoo retries the request, which sees the first one's moves."""
    if not records.ids:
        return
    cr = records.env.cr
    ids = tuple(sorted(records.ids))
    # In a fixed order: two checks of overlapping products do not deadlock. NO KEY
    # UPDATE: rows inserted meanwhile that refer to them (moves, lines: foreign
    # keys take KEY SHARE locks) neither wait for nor block the claim.
    cr.execute(
        SQL(
            "SELECT id FROM %s WHERE id IN %s ORDER BY id FOR NO KEY UPDATE",
            SQL.identifier(records._table),
            ids,
        ),
        log_exceptions=False,  # a serialization failure is retried, not a fault
    )
    cr.execute(
        SQL(
            "UPDATE %s SET write_date = write_date WHERE id IN %s",
            SQL.identifier(records._table),
            ids,
        ),
        log_exceptions=False,
    )


def raise_problems(title, problems, error=UserError):
    """Raise ``error`` with the (translated) ``title`` and one line per problem, if
    there is any problem."""
    if problems:
        raise error("\n".join([title, *problems]))


def refuse_derived_writes(records, vals, field_names, message=None):
    """Raise when ``vals`` changes one of ``field_names`` (stored related fields) on
    ``records``. Rewriting the current value (an import, a form saving every field) is
    harmless; recomputation writes below ``write`` and is not affected. ``message``:
    a translated text with ``%(fields)s`` and ``%(model)s`` instead of the default."""
    changed = [
        name
        for name in field_names
        if name in vals
        and any(
            records._fields[name].convert_to_write(record[name], record) != vals[name]
            for record in records
        )
    ]
    if changed:
        # Whoever may not write the record at all gets Odoo's access error first.
        records.check_access("write")
        placeholders = {
            "fields": ", ".join(
                records._fields[name]._description_string(records.env)
                for name in changed
            ),
            "model": records.env["ir.model"]._get(records._name).name,
        }
        if message:
            raise UserError(message % placeholders)
        raise UserError(
            records.env._(
                "%(fields)s of %(model)s follow the sales order and its type; change "
                "the order's type instead.",
                **placeholders,
            )
        )


def _flag_marks(env, key, model):
    return env.cr.cache.setdefault(("sales_order_plus", key, model), set())


@contextmanager
def internal_flag(records, key):
    """Flag ``records`` with ``key`` while the block runs (nested blocks add to it;
    each removes what it added). For the add-on's own code only: nothing a client
    sends (context, values) can set it."""
    marks = _flag_marks(records.env, key, records._name)
    added = set(records.ids) - marks
    marks |= added
    try:
        yield
    finally:
        marks -= added


# In the marks of a key: every record of the model (``internal_scope``).
_ALL = "all"


@contextmanager
def internal_scope(model, key):
    """Flag every record of ``model`` with ``key`` while the block runs: for steps
    that create their records (no ids to flag before)."""
    marks = _flag_marks(model.env, key, model._name)
    added = _ALL not in marks
    marks.add(_ALL)
    try:
        yield
    finally:
        if added:
            marks.discard(_ALL)


def in_internal_scope(model, key):
    """Whether an ``internal_scope`` of ``key`` on ``model`` is running."""
    return _ALL in model.env.cr.cache.get(("sales_order_plus", key, model._name), ())


def has_internal_flag(records, key):
    """Whether every record of ``records`` (at least one) is flagged with ``key``."""
    if not records.ids:
        return False
    marks = records.env.cr.cache.get(("sales_order_plus", key, records._name))
    return bool(marks) and (_ALL in marks or marks.issuperset(records.ids))


def may_override_risk(env):
    """Whether the user of ``env`` may go over a credit limit (OCA's wizard shows its
    "Continue" to risk managers; credit managers release holds). The system user
    runs crons and server code; no RPC client logs in as it."""
    return (
        env.uid == SUPERUSER_ID
        or env.user.has_group(RISK_MANAGER)
        or env.user.has_group(CREDIT_MANAGER)
    )


def risk_bypassed(records):
    """Whether ``bypass_risk`` in the context of ``records`` is honoured."""
    return bool(records.env.context.get("bypass_risk")) and (
        has_internal_flag(records, RISK_OVERRIDE) or may_override_risk(records.env)
    )


@contextmanager
def risk_override(records):
    """``records`` go over the limit in the block: the add-on's own decision (or
    OCA's, online payments), called with ``bypass_risk`` in the context."""
    with internal_flag(records, RISK_OVERRIDE):
        yield records.with_context(bypass_risk=True)


def finite_quantity(value, maximum=MAX_QUANTITY):
    """``value`` (a number or its text) as a float when it is a finite number of at
    most ``maximum`` in size, else None (nan, infinity, "1e999", 400 digits)."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) and abs(number) <= maximum else None


def refuse_non_finite(model, vals_list, maximum=MAX_NUMBER):
    """Raise a ValidationError when a number field of ``model`` gets nan, infinity or
    more than ``maximum`` in ``vals_list`` (create or write values: a client's)."""
    for vals in vals_list:
        for name, value in vals.items():
            field = model._fields.get(name)
            if field is None or field.type not in ("float", "monetary"):
                continue
            if value is None or isinstance(value, bool):
                continue  # False is Odoo's "empty"
            try:
                number = float(value)
            except (TypeError, ValueError, OverflowError):
                continue  # not a number at all: Odoo's own error
            if math.isfinite(number) and abs(number) <= maximum:
                continue
            limit = format(maximum, "g")
            raise ValidationError(
                model.env._(
                    "%(field)s of %(model)s must be a finite number of at most "
                    "%(max)s, not %(value)s.",
                    field=field._description_string(model.env),
                    model=model.env["ir.model"]._get(model._name).name,
                    max=limit,
                    value=value,
                )
            )
