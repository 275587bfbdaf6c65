"""Payment slips: the RF code in groups of four with a SEPA (EPC069-12) QR code, as HTML, PDF
and e-mail."""
