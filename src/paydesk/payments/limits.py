"""How long the free-text fields of a payment may be: one definition for the columns, the desk's
rules, the API's request models and the web form.

>>> NAME, REFERENCE, DETAIL, COMMENTS
(140, 64, 35, 2000)
"""

from __future__ import annotations

#: A payer's or an account holder's name (ISO 20022 Max140Text).
NAME = 140
#: A match value (invoice number or contract id) or a non-CIS payment's reference.
REFERENCE = 64
#: A cheque number, a stored method id or an external reference (ISO 20022 Max35Text).
DETAIL = 35
#: The comments on a non-CIS payment.
COMMENTS = 2000
