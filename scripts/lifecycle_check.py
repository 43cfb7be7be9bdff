"""Steps of the install / upgrade / uninstall check (run by lifecycle_check.sh).

Usage: python scripts/lifecycle_check.py <odoo options> -- <step> <state file>

Steps, each in its own process against the same database (committed on success):
  setup      before the add-on: confirmed orders, full and partial deliveries,
             posted invoices, a payment and a credit note; their figures go to the
             state file
  check      after install / upgrade: every order has a type of kind standard and no
             figure differs from the state file
  post       after install: quotations of the add-on's types and a confirmed order of a
             type created with the add-on (so that uninstall meets real references)
  uninstall  button_immediate_uninstall of sales_order_plus
  flow       after uninstall: plain quotation -> confirm -> deliver -> invoice ->
             post -> pay, the pending deliveries of old orders validated, the
             quotations of the add-on's types confirmed

A step exits non-zero with the reasons on stderr when a check fails.
"""

import json
import os
import sys

import odoo
from odoo import SUPERUSER_ID, Command, api

ADDON = "sales_order_plus"


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


# --------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------
def _num(value):
    return round(value or 0.0, 6)


def _ref(record):
    return record.id or None


def addon_demo_orders(env):
    """Orders of the add-on's own demo data (loaded on install into a demo database)."""
    return env["sale.order"].browse(
        env["ir.model.data"]
        .search([("module", "=", ADDON), ("model", "=", "sale.order")])
        .mapped("res_id")
    )


def figures(env, skip_orders=None):
    """Every figure a user or an accountant relies on, keyed for a readable diff.
    ``skip_orders`` and their transfers and invoices are left out."""
    out = {}
    skip = skip_orders or env["sale.order"]
    orders = env["sale.order"].search([("id", "not in", skip.ids)], order="id")
    pickings = env["stock.picking"].search(
        [("id", "not in", skip.picking_ids.ids)], order="id"
    )
    moves = env["account.move"].search(
        [("id", "not in", skip.invoice_ids.ids)], order="id"
    )
    for order in orders:
        key = f"order {order.id}"
        out[key] = {
            "name": order.name,
            "state": order.state,
            "partner": _ref(order.partner_id),
            "date_order": str(order.date_order),
            "validity_date": str(order.validity_date),
            "commitment_date": str(order.commitment_date),
            "amount_untaxed": _num(order.amount_untaxed),
            "amount_tax": _num(order.amount_tax),
            "amount_total": _num(order.amount_total),
            "invoice_status": order.invoice_status,
            "delivery_status": order.delivery_status,
            "payment_term": _ref(order.payment_term_id),
            "pricelist": _ref(order.pricelist_id),
            "warehouse": _ref(order.warehouse_id),
            "picking_policy": order.picking_policy,
            "incoterm": _ref(order.incoterm),
            "user": _ref(order.user_id),
            "team": _ref(order.team_id),
            "fiscal_position": _ref(order.fiscal_position_id),
            "invoices": sorted(order.invoice_ids.mapped("name")),
            "pickings": sorted(order.picking_ids.mapped("name")),
        }
        for line in order.order_line:
            out[f"{key} line {line.id}"] = {
                "product": _ref(line.product_id),
                "qty": _num(line.product_uom_qty),
                "qty_delivered": _num(line.qty_delivered),
                "qty_invoiced": _num(line.qty_invoiced),
                "qty_to_invoice": _num(line.qty_to_invoice),
                "price_unit": _num(line.price_unit),
                "discount": _num(line.discount),
                "price_subtotal": _num(line.price_subtotal),
                "price_total": _num(line.price_total),
                "taxes": sorted(line.tax_id.ids),
                "route": _ref(line.route_id),
                "analytic": json.dumps(line.analytic_distribution, sort_keys=True),
                "invoice_status": line.invoice_status,
            }
    for picking in pickings:
        out[f"picking {picking.id}"] = {
            "name": picking.name,
            "state": picking.state,
            "origin": picking.origin,
            "moves": [
                [_ref(m.product_id), _num(m.product_uom_qty), _num(m.quantity), m.state]
                for m in picking.move_ids.sorted("id")
            ],
        }
    for move in moves:
        out[f"move {move.id}"] = {
            "name": move.name,
            "type": move.move_type,
            "state": move.state,
            "payment_state": move.payment_state,
            "amount_total": _num(move.amount_total),
            "amount_residual": _num(move.amount_residual),
            "journal": _ref(move.journal_id),
            "payment_term": _ref(move.invoice_payment_term_id),
            "lines": [
                [_ref(aml.account_id), _num(aml.balance), _num(aml.quantity)]
                for aml in move.line_ids.sorted("id")
            ],
        }
    for quant in env["stock.quant"].search([], order="id"):
        out[f"quant {quant.id}"] = [
            _ref(quant.product_id),
            _ref(quant.location_id),
            _num(quant.quantity),
            _num(quant.reserved_quantity),
        ]
    return out


def diff(before, after):
    problems = []
    for key in sorted(set(before) | set(after)):
        if key not in after:
            problems.append(f"{key}: gone")
        elif key not in before:
            problems.append(f"{key}: new record")
        elif before[key] != after[key]:
            old, new = before[key], after[key]
            if isinstance(old, dict) and isinstance(new, dict):
                for field in sorted(set(old) | set(new)):
                    if old.get(field) != new.get(field):
                        problems.append(
                            f"{key} {field}: {old.get(field)!r} -> {new.get(field)!r}"
                        )
            else:
                problems.append(f"{key}: {old!r} -> {new!r}")
    return problems


# --------------------------------------------------------------------------------------
# Document helpers (Odoo's own methods only)
# --------------------------------------------------------------------------------------
def deliver(picking, quantities=None):
    """Validate ``picking``; ``quantities`` ({product: qty}) leaves a backorder."""
    for move in picking.move_ids:
        qty = move.product_uom_qty
        if quantities is not None:
            qty = quantities.get(move.product_id, 0.0)
        move.quantity = qty
        move.picked = True
    picking.with_context(skip_backorder=True).button_validate()
    check(picking.state == "done", f"{picking.name} not done: {picking.state}")


def invoice(order):
    moves = order._create_invoices()
    moves.action_post()
    return moves


def pay(moves):
    env = moves.env
    env["account.payment.register"].with_context(
        active_model="account.move", active_ids=moves.ids
    ).create({})._create_payments()
    check(
        all(m.payment_state in ("paid", "in_payment") for m in moves),
        f"{moves.mapped('name')} not paid: {moves.mapped('payment_state')}",
    )


def new_order(env, partner, lines, **vals):
    vals.update(
        partner_id=partner.id,
        order_line=[
            Command.create({"product_id": p.id, "product_uom_qty": q}) for p, q in lines
        ],
    )
    return env["sale.order"].create(vals)


def products(env):
    return {
        code: env["product.product"].search([("default_code", "=", code)], limit=1)
        for code in ("LC-ORDER", "LC-DELIV", "LC-SERV")
    }


# --------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------
def step_setup(env, state):
    check(
        not env["ir.module.module"].search(
            [("name", "=", ADDON), ("state", "=", "installed")]
        ),
        f"{ADDON} must not be installed yet",
    )
    warehouse = env["stock.warehouse"].search(
        [("company_id", "=", env.company.id)], limit=1
    )
    base = {
        "type": "consu",
        "is_storable": True,
        "list_price": 100.0,
        "standard_price": 60.0,
    }
    by_order = env["product.product"].create(
        dict(base, name="LC by order", default_code="LC-ORDER", invoice_policy="order")
    )
    by_delivery = env["product.product"].create(
        dict(
            base,
            name="LC by delivery",
            default_code="LC-DELIV",
            invoice_policy="delivery",
        )
    )
    service = env["product.product"].create(
        {
            "name": "LC service",
            "default_code": "LC-SERV",
            "type": "service",
            "list_price": 30,
        }
    )
    for product in by_order + by_delivery:
        env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, 100
        )
    customer = env["res.partner"].create({"name": "LC Customer"})

    # 1. Delivered, invoiced, paid.
    paid = new_order(env, customer, [(by_order, 3), (service, 2)])
    paid.action_confirm()
    deliver(paid.picking_ids)
    pay(invoice(paid))
    # 2. Partly delivered (backorder pending), delivered part invoiced.
    partial = new_order(env, customer, [(by_delivery, 5)])
    partial.action_confirm()
    deliver(partial.picking_ids, {by_delivery: 2})
    invoice(partial)
    # 3. Invoiced, then fully credited.
    credited = new_order(env, customer, [(by_order, 4)])
    credited.action_confirm()
    deliver(credited.picking_ids)
    inv = invoice(credited)
    refund = inv._reverse_moves([{"ref": "LC credit note"}])
    refund.action_post()
    # 4. Confirmed, nothing delivered yet.
    pending = new_order(env, customer, [(by_delivery, 2)])
    pending.action_confirm()
    # 5. An OCA type whose defaults differ from what the order finally got: a recompute
    #    from the type on install would show as a changed payment term, pricelist,
    #    shipping policy, validity date or analytic distribution.
    plan = env["account.analytic.plan"].create({"name": "LC plan"})
    analytic = env["account.analytic.account"].create(
        {"name": "LC project", "plan_id": plan.id}
    )
    pricelist = env["product.pricelist"].create({"name": "LC pricelist"})
    order_type = env["sale.order.type"].create(
        {
            "name": "LC type with defaults",
            "payment_term_id": env.ref("account.account_payment_term_30days").id,
            "pricelist_id": pricelist.id,
            "picking_policy": "one",
            "quotation_validity_days": 7,
            "analytic_distribution": {str(analytic.id): 100.0},
        }
    )
    typed = new_order(env, customer, [(by_order, 1)], type_id=order_type.id)
    typed.write(
        {
            "payment_term_id": env.ref("account.account_payment_term_immediate").id,
            "pricelist_id": env["product.pricelist"].create({"name": "LC other"}).id,
            "picking_policy": "direct",
            "validity_date": "2030-01-31",
        }
    )
    typed.order_line.analytic_distribution = False
    typed.action_confirm()
    # 6. A quotation and a cancelled order.
    new_order(env, customer, [(by_order, 1)])
    cancelled = new_order(env, customer, [(by_order, 1)])
    cancelled.action_confirm()
    cancelled._action_cancel()
    # 7. A confirmed order without a type (an order from before sale_order_type or
    #    imported by SQL): the add-on's install must give it the standard type.
    untyped = new_order(env, customer, [(by_delivery, 1)])
    untyped.action_confirm()
    env.flush_all()
    env.cr.execute("UPDATE sale_order SET type_id = NULL WHERE id = %s", [untyped.id])
    env.invalidate_all()

    state.update(
        figures=figures(env),
        orders={
            "paid": paid.id,
            "partial": partial.id,
            "credited": credited.id,
            "pending": pending.id,
            "typed": typed.id,
            "cancelled": cancelled.id,
            "untyped": untyped.id,
        },
    )
    print(
        f"setup: {env['sale.order'].search_count([])} orders, "
        f"{env['account.move'].search_count([('move_type', 'like', 'out_')])} "
        f"customer invoices/credit notes"
    )


def step_check(env, state):
    demo = addon_demo_orders(env)
    problems = diff(state["figures"], figures(env, skip_orders=demo))
    orders = env["sale.order"].search([("id", "not in", demo.ids)])
    for order in orders:
        if not order.type_id:
            problems.append(f"{order.name}: no type")
        elif order.type_id.kind != "standard" or order.type_kind != "standard":
            problems.append(
                f"{order.name}: kind {order.type_kind} ({order.type_id.name})"
            )
    for picking in orders.picking_ids:
        if (
            picking.sale_type_id != picking.sale_id.type_id
            or picking.sale_type_kind != ("standard")
        ):
            problems.append(f"{picking.name}: type {picking.sale_type_id.name}")
    untyped = env["sale.order"].browse(state["orders"]["untyped"])
    if untyped.type_id != env.ref("sale_order_type.normal_sale_type"):
        problems.append(
            f"{untyped.name}: type {untyped.type_id.name}, not Normal Order"
        )
    check(not problems, "figures or types changed:\n  " + "\n  ".join(problems[:40]))
    print(
        f"check: {len(orders)} orders of kind standard, {len(state['figures'])} "
        f"records' figures unchanged"
    )


def step_post(env, state):
    """Real references to the add-on's records before uninstalling it."""
    customer = env["res.partner"].search([("name", "=", "LC Customer")], limit=1)
    prods = products(env)
    vendor = env["res.partner"].create({"name": "LC Vendor"})
    drop_product = env["product.product"].create(
        {
            "name": "LC dropshipped",
            "default_code": "LC-DROP",
            "type": "consu",
            "list_price": 50.0,
            "seller_ids": [Command.create({"partner_id": vendor.id, "price": 20.0})],
        }
    )
    quotations = {}
    for xmlid in (
        "type_cash_sale",
        "type_rush_order",
        "type_delivery_schedule",
        "type_third_party",
    ):
        order_type = env.ref(f"{ADDON}.{xmlid}")
        # A valid quotation of each kind: a third-party line needs a vendor.
        product = drop_product if xmlid == "type_third_party" else prods["LC-ORDER"]
        quotations[xmlid] = new_order(
            env, customer, [(product, 1)], type_id=order_type.id
        ).id
    own_type = env["sale.order.type"].create({"name": "LC type of the add-on era"})
    check(own_type.kind == "standard", "a new type is not of kind standard")
    confirmed = new_order(env, customer, [(prods["LC-DELIV"], 1)], type_id=own_type.id)
    confirmed.action_confirm()
    # A job of the add-on still waiting when it is uninstalled (queue_job stays).
    env["sale.consistency.notification"]._cron_sop_notify_new_problems()
    job = env["queue.job"].search(
        [("method_name", "=", "_sop_notify_new_problems"), ("state", "=", "pending")],
        limit=1,
    )
    check(job, "the consistency summary job was not enqueued")
    state["post"] = {
        "quotations": quotations,
        "confirmed": confirmed.id,
        "job": job.id,
    }
    print("post: quotations of the shipped types and an order of a new type created")


def step_uninstall(env, state):
    module = env["ir.module.module"].search([("name", "=", ADDON)])
    check(module.state == "installed", f"{ADDON} is {module.state}")
    module.button_immediate_uninstall()
    print("uninstall: done")


def step_flow(env, state):
    module = env["ir.module.module"].search([("name", "=", ADDON)])
    check(module.state == "uninstalled", f"{ADDON} is {module.state}")
    check(
        not env["ir.model.data"].search_count([("module", "=", ADDON)]),
        f"external ids of {ADDON} left behind",
    )
    queue_job = env["ir.module.module"].search([("name", "=", "queue_job")])
    check(queue_job.state == "installed", f"queue_job is {queue_job.state}")
    job = env["queue.job"].browse(state["post"]["job"])
    check(job.state == "cancelled", f"the add-on's waiting job is {job.state}")
    check(
        not env["queue.job.function"].search_count([("name", "like", "_sop_%")]),
        f"job functions of {ADDON} left behind",
    )
    env.cr.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE column_name IN ('type_kind', 'sale_type_kind', 'kind') "
        "AND table_name IN ('sale_order', 'stock_picking', 'account_move', "
        "'sale_order_type')"
    )
    check(not env.cr.fetchall(), "columns of the add-on left behind")
    env.cr.execute(r"SELECT indexname FROM pg_indexes WHERE indexname LIKE 'sop\_%'")
    left = [row[0] for row in env.cr.fetchall()]
    check(not left, f"indexes of the add-on left behind: {', '.join(left)}")
    prods = products(env)
    customer = env["res.partner"].search([("name", "=", "LC Customer")], limit=1)

    # A full standard flow on the same data.
    order = new_order(env, customer, [(prods["LC-ORDER"], 2), (prods["LC-SERV"], 1)])
    order.action_confirm()
    check(order.state == "sale", f"new order {order.state}")
    deliver(order.picking_ids)
    moves = invoice(order)
    check(moves.state == "posted", "invoice of the new order not posted")
    pay(moves)
    check(order.invoice_status == "invoiced", f"new order {order.invoice_status}")

    # Pending deliveries of old orders, then the rest of the partial order invoiced.
    orders = env["sale.order"].browse
    partial = orders(state["orders"]["partial"])
    backorder = partial.picking_ids.filtered(
        lambda p: p.state not in ("done", "cancel")
    )
    check(len(backorder) == 1, f"{partial.name}: {len(backorder)} pending transfers")
    deliver(backorder)
    check(partial.order_line.qty_delivered == 5, f"{partial.name} not fully delivered")
    invoice(partial)
    check(
        partial.invoice_status == "invoiced", f"{partial.name} {partial.invoice_status}"
    )
    for key in ("pending",):
        old = orders(state["orders"][key])
        deliver(old.picking_ids.filtered(lambda p: p.state != "done"))
        check(old.delivery_status == "full", f"{old.name} {old.delivery_status}")
    confirmed = orders(state["post"]["confirmed"])
    deliver(confirmed.picking_ids)
    invoice(confirmed)
    # Quotations made with the add-on's types confirm as plain orders.
    quotations = orders(list(state["post"]["quotations"].values()))
    check(
        sorted(quotations.type_id.mapped("name"))
        == ["Cash Sale", "Delivery Schedule", "Rush Order", "Third-Party Order"],
        f"types of the old quotations: {quotations.type_id.mapped('name')}",
    )
    quotations.action_confirm()
    check(set(quotations.mapped("state")) == {"sale"}, "old quotations not confirmed")
    for quotation in quotations:
        # The former third-party quotation keeps its dropship route (a line field of
        # Odoo): its vendor ships once the purchase order is confirmed.
        quotation.order_line.purchase_line_ids.order_id.filtered(
            lambda po: po.state in ("draft", "sent")
        ).button_confirm()
        check(quotation.picking_ids, f"{quotation.name}: no transfer")
        deliver(quotation.picking_ids)
    print(
        f"flow: {order.name} quoted, confirmed, delivered, invoiced, paid; "
        f"{partial.name} and other pending deliveries validated"
    )


STEPS = {
    "setup": step_setup,
    "check": step_check,
    "post": step_post,
    "uninstall": step_uninstall,
    "flow": step_flow,
}


def main():
    args = sys.argv[1:]
    split = args.index("--")
    odoo_args, (step, state_path) = args[:split], args[split + 1 :]
    odoo.tools.config.parse_config(odoo_args)
    state = {}
    if os.path.exists(state_path) and os.path.getsize(state_path):
        with open(state_path) as fh:
            state = json.load(fh)
    registry = odoo.modules.registry.Registry(odoo.tools.config["db_name"])
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            STEPS[step](env, state)
    except CheckFailed as failure:
        print(f"FAIL ({step}): {failure}", file=sys.stderr)
        sys.exit(1)
    with open(state_path, "w") as fh:
        json.dump(state, fh)


if __name__ == "__main__":
    main()
