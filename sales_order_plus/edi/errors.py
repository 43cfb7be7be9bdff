# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The error of the file format layer: plain Python, translated by the caller."""


def _(message):
    """Mark ``message`` for Odoo's term extraction; the ORM side translates it
    (``FormatError.translate(env._)``), so the msgids of i18n/de.po stay valid."""
    return message


def identity_translate(message, **params):
    """The stand-in for ``env._`` outside Odoo: the English text, formatted."""
    return message % params if params else message


class FormatError(ValueError):
    """A file cannot be read. ``message`` is the untranslated text (an Odoo msgid),
    ``params`` its ``%(name)s`` values."""

    def __init__(self, message, **params):
        super().__init__(message)
        self.message = message
        self.params = params

    def translate(self, translate=identity_translate):
        return translate(self.message, **self.params)

    def __str__(self):
        return self.translate()
