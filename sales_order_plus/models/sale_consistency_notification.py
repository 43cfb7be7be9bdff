# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import format_list

from odoo.addons.queue_job.job import identity_exact

# The problems of the consistency check (report/sale_consistency_check.py reads them
# from here: reports import models, never the other way round).
PROBLEMS = [
    ("delivery", "Delivered ≠ Ordered"),
    ("invoice", "Invoiced ≠ Invoice Policy"),
    ("amount", "Invoiced Total ≠ Order Total"),
]

# Problems listed one by one in a summary; the rest are counted.
SUMMARY_MAX_ROWS = 50


class SaleConsistencyNotification(models.Model):
    """A consistency problem the sales managers were told about, so that the summary
    of the scheduled check never reports it twice. The key holds the order (line), the
    problem and the difference: a difference that changes is a new problem."""

    _name = "sale.consistency.notification"
    _description = "Notified Sales Consistency Problem"
    _order = "id desc"
    _rec_name = "problem_key"

    problem_key = fields.Char(required=True, readonly=True, index=True)
    problem = fields.Selection(selection=PROBLEMS, readonly=True)
    order_id = fields.Many2one(
        "sale.order", string="Order", readonly=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    message_id = fields.Many2one(
        "mail.message", string="Summary", readonly=True, ondelete="set null"
    )

    _sql_constraints = [
        (
            "problem_key_unique",
            "UNIQUE(problem_key)",
            "A consistency problem is notified only once.",
        )
    ]

    @api.model
    def _cron_sop_notify_new_problems(self):
        """Daily: one job per company (queue_job), so that the companies' checks run
        side by side on the job runners and one company's failure does not hold up
        the others' summaries."""
        for company in self.env["res.company"].sudo().search([]):
            self.with_delay(
                description=self.env._(
                    "Sales consistency summary of %(company)s", company=company.name
                ),
                identity_key=identity_exact,
            )._sop_notify_new_problems(company)
        return True

    @api.model
    def _sop_notify_new_problems(self, companies=None):
        """Send the sales managers of each company (of ``companies``, default all) a
        summary of the problems they were not told about yet (job of the scheduled
        action, and server action). Returns the summaries."""
        managers = self.env.ref("sales_team.group_sale_manager").sudo().users
        messages = self.env["mail.message"]
        new_problems = self._sop_new_problems(companies)
        for company, problems in new_problems.grouped("company_id").items():
            recipients = managers.filtered(
                lambda user, company=company: company in user.company_ids
                and not user.share
            )
            if recipients:  # else kept as new until someone can read it
                messages |= self._sop_notify(company, problems, recipients)
        return messages

    @api.model
    def _sop_new_problems(self, companies=None):
        """The problems of the consistency check not notified yet (of ``companies``,
        default all)."""
        domain = [("company_id", "in", companies.ids)] if companies else []
        problems = self.env["sale.consistency.check"].sudo().search(domain)
        known = set(
            self.sudo()
            .search([("problem_key", "in", problems.mapped("problem_key"))])
            .mapped("problem_key")
        )
        return problems.filtered(lambda p: p.problem_key not in known)

    @api.model
    def _sop_notify(self, company, problems, recipients):
        """Send ``recipients`` the summary of ``problems`` of ``company`` and remember
        them as notified. Returns the message."""
        message = (
            self.env["mail.thread"]
            .sudo()
            .message_notify(
                partner_ids=recipients.partner_id.ids,
                subject=self.env._(
                    "%(company)s: %(count)s new sales inconsistencies",
                    company=company.name,
                    count=len(problems),
                ),
                body=self._sop_summary_body(problems),
            )
        )
        self.sudo().create(
            [
                {
                    "problem_key": problem.problem_key,
                    "problem": problem.problem,
                    "order_id": problem.order_id.id,
                    "company_id": company.id,
                    "message_id": message.id,
                }
                for problem in problems
            ]
        )
        return message

    @api.model
    def _sop_summary_body(self, problems):
        labels = dict(problems._fields["problem"]._description_selection(self.env))
        counts = [
            self.env._(
                "%(count)s × %(problem)s", count=len(rows), problem=labels[problem]
            )
            for problem, rows in problems.grouped("problem").items()
        ]
        rows = Markup().join(
            Markup("<li>%(order)s: %(problem)s%(product)s, %(difference)s</li>")
            % {
                "order": problem.order_id._get_html_link(title=problem.order_id.name),
                "problem": labels[problem.problem],
                "product": f" ({problem.product_id.display_name})"
                if problem.product_id
                else "",
                "difference": problem._sop_difference_label(),
            }
            for problem in problems[:SUMMARY_MAX_ROWS]
        )
        body = Markup("<p>%s</p><ul>%s</ul>") % (format_list(self.env, counts), rows)
        if len(problems) > SUMMARY_MAX_ROWS:
            body += Markup("<p>%s</p>") % self.env._(
                "… and %(count)s more: see Sales > Reporting > Consistency Check.",
                count=len(problems) - SUMMARY_MAX_ROWS,
            )
        return body
