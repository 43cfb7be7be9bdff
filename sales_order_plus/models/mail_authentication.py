# Copyright 2026 sales_order_plus developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Who sent a mail: the receiving server's ``Authentication-Results`` (RFC 8601).

A From header is whatever the sender typed. What a mail can prove is what our own
receiving mail server checked and wrote on top of it: DMARC (the From domain passed
SPF or DKIM, aligned) or a DKIM signature of the From address's domain. Only the
header instance of our own server counts (its authserv-id, a system parameter): any
other is the sender's text too. The reader is plain Python (no database); the mail
gateway's part keeps the headers of the message being routed, for the aliases'
``message_new`` to read, out of any client's reach (no context key, no value of the
parsed message).
"""

import contextvars
import re

from odoo import api, models
from odoo.tools import email_normalize

# System parameter: our receiving servers' authserv-ids, comma-separated.
AUTHSERV_PARAM = "sales_order_plus.mail_authserv_id"
# The headers of the message the gateway is routing: (Message-Id, [values]).
_ROUTED = contextvars.ContextVar("sop_mail_authentication_results", default=None)


def _strip_comments(value):
    """``value`` without its comments ``(...)`` (nested, escapes, quoted strings
    kept)."""
    out, depth, quoted, escaped = [], 0, False, False
    for char in value:
        if escaped:
            escaped = False
            if not depth:
                out.append(char)
            continue
        if char == "\\":
            escaped = True
            if not depth:
                out.append(char)
            continue
        if quoted:
            out.append(char)
            quoted = char != '"'
            continue
        if char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif not depth:
            out.append(char)
            quoted = char == '"'
    return "".join(out)


def _split(value, separator):
    """``value`` split at ``separator`` outside quoted strings."""
    parts, current, quoted, escaped = [], [], False, False
    for char in value:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _tokens(value):
    return value.split()


def _unquote(value):
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_authentication_results(value):
    """``(authserv_id, results)`` of one ``Authentication-Results`` header value:
    the lower-cased authserv-id (None when there is none) and one dict per result,
    ``{"method", "result", "reason", "<ptype>.<property>": value}`` (keys, methods,
    results and domains lower-cased)."""
    # Unfolded, comments removed, any run of blanks one space.
    text = re.sub(r"\s+", " ", _strip_comments(str(value or "")))
    parts = _split(text, ";")
    head = _tokens(parts[0])
    if not head:
        return None, []
    authserv_id = _unquote(head[0]).lower()
    results = []
    for part in parts[1:]:
        words = [w for w in _split(part.strip(), " ") if w.strip()]
        if not words or "=" not in words[0]:
            continue  # "none", or nothing readable
        method, result = words[0].split("=", 1)
        entry = {
            "method": method.split("/", 1)[0].strip().lower(),
            "result": _unquote(result).lower(),
        }
        for word in words[1:]:
            key, sep, prop = word.partition("=")
            if not sep:
                continue
            key = key.strip().lower()
            prop = _unquote(prop)
            if key in ("header.d", "header.from", "smtp.mailfrom"):
                prop = prop.lower()
            elif key == "header.i":
                prop = prop.rpartition("@")[2].lower()
            entry[key] = prop
        results.append(entry)
    return authserv_id, results


def _aligned(domain, signer):
    """DKIM's relaxed alignment, approximated: the signing domain is the From
    domain or one of its parent domains (never a bare top-level domain), or a
    subdomain of it."""
    if not signer or "." not in signer:
        return False
    return (
        domain == signer
        or domain.endswith("." + signer)
        or signer.endswith("." + domain)
    )


def sender_authenticated(headers, authserv_ids, sender):
    """Whether the message from ``sender`` (an address) passed our server's
    authentication. ``headers``: the message's ``Authentication-Results`` values,
    topmost first (as the servers prepended them); ``authserv_ids``: ours. Only
    our topmost instance counts: one of our id further down was written by
    someone else (RFC 8601 section 5 has the server remove them, this does not
    rely on it). Passed: ``dmarc=pass`` for the From domain, or ``dkim=pass`` by
    a signer aligned with it; SPF alone proves nothing about the From address."""
    address = email_normalize(sender or "") or ""
    domain = address.rpartition("@")[2]
    ours = {a.strip().lower() for a in authserv_ids if a and a.strip()}
    if not domain or not ours:
        return False
    for value in headers or []:
        authserv_id, results = parse_authentication_results(value)
        if authserv_id not in ours:
            continue
        for entry in results:
            if entry["result"] != "pass":
                continue
            if (
                entry["method"] == "dmarc"
                and entry.get("header.from", domain) == domain
            ):
                return True
            if entry["method"] == "dkim" and _aligned(
                domain, entry.get("header.d") or entry.get("header.i")
            ):
                return True
        return False
    return False


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _message_route_process(self, message, message_dict, routes):
        # The message's authentication as our server wrote it, for the aliases'
        # message_new. Only when the gateway itself routes it: the incoming mail
        # servers (scheduled, as superuser) or odoo-mailgate (an administrator);
        # anyone else calling message_process over RPC writes the headers himself.
        headers = []
        if self.env.is_superuser() or self.env.user.has_group("base.group_system"):
            headers = [str(h) for h in message.get_all("Authentication-Results") or []]
        token = _ROUTED.set((message_dict.get("message_id"), headers))
        try:
            return super()._message_route_process(message, message_dict, routes)
        finally:
            _ROUTED.reset(token)

    @api.model
    def _sop_mail_sender(self, msg_dict):
        """``(address, authenticated)`` of the sender of the message being routed:
        its normalized From address, and whether it passed the authentication of
        our receiving server (system parameter ``sales_order_plus.mail_authserv_id``).
        """
        address = email_normalize(msg_dict.get("email_from") or "") or ""
        routed = _ROUTED.get()
        if not address or not routed or routed[0] != msg_dict.get("message_id"):
            return address, False
        param = self.env["ir.config_parameter"].sudo().get_param(AUTHSERV_PARAM) or ""
        return address, sender_authenticated(routed[1], param.split(","), address)
