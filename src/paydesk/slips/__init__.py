"""Payment slips: the RF code in groups of four with a SEPA (EPC069-12) QR code, as HTML, PDF
and e-mail."""

# Importing slips registers the queueing of a slip e-mail when a code is issued (codes.on_issued).
from paydesk.slips import outbox as _outbox  # noqa: F401
