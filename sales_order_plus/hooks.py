# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def pre_init_hook(env):
    """Create and fill the stored order type and kind of invoices and journal items
    in SQL before the ORM sees them: the ORM would otherwise recompute them record by
    record for every journal item of the database. Every existing type gets the kind
    "standard" (the kind's default) when the add-on installs."""
    cr = env.cr
    cr.execute(
        """
        ALTER TABLE account_move ADD COLUMN IF NOT EXISTS sale_type_kind varchar;
        ALTER TABLE account_move_line
            ADD COLUMN IF NOT EXISTS sale_type_id integer,
            ADD COLUMN IF NOT EXISTS sale_type_kind varchar;
        UPDATE account_move
           SET sale_type_kind = 'standard'
         WHERE sale_type_id IS NOT NULL;
        UPDATE account_move_line line
           SET sale_type_id = move.sale_type_id,
               sale_type_kind = 'standard'
          FROM account_move move
         WHERE move.id = line.move_id
           AND move.sale_type_id IS NOT NULL;
        """
    )
