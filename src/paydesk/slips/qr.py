"""Draw an EPC payload as a QR code (segno), error correction level M as EPC069-12 requires.

The payload is encoded as UTF-8 bytes (character set 1) in byte mode, without an ECI header,
and the level is never raised above M, so every banking app reads the same symbol.
"""

from __future__ import annotations

import io

import segno

__all__ = ["make_qr", "qr_png", "qr_svg"]

#: A version 13 symbol at level M holds the 331 bytes EPC allows; nothing larger is valid.
MAX_VERSION = 13


def make_qr(payload: str) -> segno.QRCode:
    """The QR code for ``payload`` (level M, byte mode, UTF-8)."""
    code = segno.make_qr(payload, error="M", mode="byte", encoding="utf-8", boost_error=False)
    if code.version > MAX_VERSION:  # pragma: no cover - build_epc_payload keeps it within 331 bytes
        raise ValueError(f"payload needs QR version {code.version}; EPC allows at most 13")
    return code


def qr_png(payload: str, *, scale: int = 8, border: int = 4) -> bytes:
    """PNG image bytes: ``scale`` pixels per module, a quiet zone of ``border`` modules."""
    out = io.BytesIO()
    make_qr(payload).save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


def qr_svg(payload: str, *, scale: int = 4, border: int = 4) -> str:
    """SVG markup without XML declaration, ready to inline in HTML."""
    return make_qr(payload).svg_inline(scale=scale, border=border, title="EPC QR")
