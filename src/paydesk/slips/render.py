"""A payment slip: the RF code in groups of four, the amount, and the EPC QR code, as HTML or PDF.

The PDF embeds DejaVu Sans, which has the Greek and Polish letters the slips need. It is looked
up in the usual system font folders (Debian/Ubuntu package ``fonts-dejavu-core``, Fedora, Arch)
and in matplotlib's bundled fonts when matplotlib is installed; ``font_dir`` overrides the search.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import schwifty
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency
from jinja2 import Environment, PackageLoader, select_autoescape
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from paydesk.codes import rf
from paydesk.errors import InvalidAmount, InvalidIBAN, InvalidInput, PaydeskError
from paydesk.money import Money
from paydesk.slips.epc import build_epc_payload
from paydesk.slips.labels import LOCALES, Language, check_language, document_kind, label
from paydesk.slips.qr import qr_png, qr_svg

__all__ = [
    "FONT_DIRS",
    "SlipData",
    "SlipFontMissing",
    "epc_payload",
    "format_amount",
    "format_date",
    "pdf_fonts",
    "render_html",
    "render_pdf",
]

#: Where DejaVu Sans usually lives; the first folder holding a file wins, file by file.
FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu: fonts-dejavu-core
    Path("/usr/share/fonts/dejavu-sans-fonts"),  # Fedora
    Path("/usr/share/fonts/dejavu-sans-mono-fonts"),  # Fedora
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),  # Arch
    Path("/usr/local/share/fonts"),
)
_FONT_FILES = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "mono": "DejaVuSansMono-Bold.ttf",
}


class SlipFontMissing(PaydeskError):
    """The PDF font is not installed: a deployment problem, not the caller's."""

    slug = "slip-font-missing"
    status = 500
    title = "Payment slip font missing"


@dataclass(frozen=True, slots=True)
class SlipData:
    """What a payment slip shows. Validates and normalises on construction.

    ``amount`` ``None`` is an open amount (the payer chooses), up to ``ceiling`` when set (what
    may still be paid). The RF code and IBAN are stored compact; ``language`` is ``'en'``,
    ``'el'`` or ``'pl'``.
    """

    business_name: str
    business_iban: str
    customer_name: str
    document_kind: str
    document_number: str
    rf_code: str
    amount: Money | None = None
    business_bic: str | None = None
    customer_address: str | None = None
    due_date: date | None = None
    expires_on: date | None = None
    language: Language = "en"
    ceiling: Money | None = None

    def __post_init__(self) -> None:
        for field in ("business_name", "customer_name", "document_kind", "document_number"):
            if not str(getattr(self, field)).strip():
                raise InvalidInput(f"{field.replace('_', ' ')} must not be empty")
        if self.amount is not None and not isinstance(self.amount, Money):
            raise InvalidAmount(f"{self.amount!r} is not Money")
        if self.amount is not None and self.amount.amount <= 0:
            raise InvalidAmount(f"{self.amount}: a slip asks for a positive amount")
        if self.ceiling is not None and (self.amount is not None or self.ceiling.amount <= 0):
            raise InvalidAmount("only an open amount has a ceiling, and it is above zero")
        check_language(self.language)
        object.__setattr__(self, "rf_code", rf.validate(self.rf_code))
        try:
            iban = schwifty.IBAN(self.business_iban)
        except ValueError as exc:
            raise InvalidIBAN(f"{self.business_iban!r} is not a valid IBAN: {exc}") from None
        object.__setattr__(self, "business_iban", str(iban))
        if self.business_bic is not None and not self.business_bic.strip():
            object.__setattr__(self, "business_bic", None)

    @property
    def has_qr(self) -> bool:
        """An EPC QR code is printed for euro amounts and open amounts."""
        return self.amount is None or self.amount.currency == "EUR"

    @property
    def rf_formatted(self) -> str:
        return rf.format(self.rf_code)

    @property
    def iban_formatted(self) -> str:
        return schwifty.IBAN(self.business_iban).formatted


def format_amount(amount: Money, language: str) -> str:
    """Amount as read in the language: ``€1,234.56``, ``1.234,56 €`` (el), ``1 234,56 €`` (pl)."""
    return format_currency(amount.amount, amount.currency, locale=LOCALES[check_language(language)])


def format_date(day: date, language: str) -> str:
    """The long form of a date: ``30 June 2026``, ``30 Ιουνίου 2026``, ``30 czerwca 2026``."""
    return babel_format_date(day, format="long", locale=LOCALES[check_language(language)])


def epc_payload(slip: SlipData) -> str | None:
    """The EPC QR payload for the slip, or ``None`` when the amount is not in euro."""
    if not slip.has_qr:
        return None
    return build_epc_payload(
        name=slip.business_name,
        iban=slip.business_iban,
        bic=slip.business_bic,
        amount=slip.amount,
        reference=slip.rf_code,
    )


def _rows(slip: SlipData) -> list[tuple[str, str]]:
    """The labelled lines of the slip, in print order (shared by HTML and PDF)."""
    lang = slip.language
    rows = [(label(lang, "beneficiary"), slip.business_name)]
    rows.append((label(lang, "iban"), slip.iban_formatted))
    if slip.business_bic:
        rows.append((label(lang, "bic"), slip.business_bic))
    customer = slip.customer_name
    if slip.customer_address:
        customer += "\n" + slip.customer_address.strip()
    rows.append((label(lang, "customer"), customer))
    document = f"{document_kind(lang, slip.document_kind)} {slip.document_number}"
    rows.append((label(lang, "document"), document))
    if slip.amount is not None:
        amount = format_amount(slip.amount, lang)
    elif slip.ceiling is not None:
        amount = label(lang, "open_up_to", amount=format_amount(slip.ceiling, lang))
    else:
        amount = label(lang, "open_amount")
    rows.append((label(lang, "amount"), amount))
    if slip.due_date:
        rows.append((label(lang, "due_date"), format_date(slip.due_date, lang)))
    if slip.expires_on:
        rows.append((label(lang, "expires_on"), format_date(slip.expires_on, lang)))
    return rows


def _notes(slip: SlipData) -> list[str]:
    notes = [label(slip.language, "instructions")]
    if not slip.has_qr:
        assert slip.amount is not None
        notes.append(label(slip.language, "no_qr", currency=slip.amount.currency))
    return notes


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("paydesk.slips", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(slip: SlipData) -> str:
    """A self-contained HTML page for the slip; the QR code is inline SVG."""
    payload = epc_payload(slip)
    return (
        _templates()
        .get_template("slip.html")
        .render(
            lang=slip.language,
            title=label(slip.language, "title"),
            business_name=slip.business_name,
            rows=_rows(slip),
            code_label=label(slip.language, "payment_code"),
            code=slip.rf_formatted,
            qr_svg=qr_svg(payload) if payload else None,
            scan=label(slip.language, "scan"),
            notes=_notes(slip),
        )
    )


def _find_font_file(name: str, dirs: Iterable[Path]) -> Path:
    for folder in dirs:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise SlipFontMissing(
        f"font {name} not found in {', '.join(str(d) for d in dirs)}; install DejaVu Sans "
        "(Debian/Ubuntu: apt-get install fonts-dejavu-core)"
    )


def _default_font_dirs() -> tuple[Path, ...]:
    dirs = FONT_DIRS
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.origin:
        dirs += (Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf",)
    return dirs


@cache
def _register_font(path: Path) -> str:
    """Register a TTF with reportlab once, under a name unique to its file."""
    name = f"{path.stem}-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"
    pdfmetrics.registerFont(TTFont(name, str(path)))
    return name


def _fonts(font_dir: Path | None) -> dict[str, str]:
    dirs = (font_dir,) if font_dir is not None else _default_font_dirs()
    return {role: _register_font(_find_font_file(f, dirs)) for role, f in _FONT_FILES.items()}


def pdf_fonts(font_dir: Path | None = None) -> dict[str, str]:
    """The DejaVu fonts registered with reportlab: ``regular``, ``bold`` and ``mono`` names."""
    return _fonts(font_dir)


def render_pdf(slip: SlipData, *, font_dir: Path | None = None) -> bytes:
    """An A4 PDF of the slip with DejaVu Sans embedded and the EPC QR code as an image."""
    fonts = _fonts(font_dir)
    out = io.BytesIO()
    title = label(slip.language, "title")
    pdf = Canvas(out, pagesize=A4, lang=slip.language, invariant=True)
    pdf.setTitle(f"{title} {slip.rf_formatted}")
    pdf.setAuthor(slip.business_name)
    pdf.setSubject(slip.rf_code)
    width, height = A4
    left, right = 20 * mm, width - 20 * mm
    y = height - 25 * mm

    pdf.setFont(fonts["bold"], 16)
    pdf.drawString(left, y, slip.business_name)
    pdf.setFont(fonts["regular"], 12)
    pdf.drawRightString(right, y, title)
    y -= 6 * mm
    pdf.setLineWidth(0.5)
    pdf.line(left, y, right, y)

    # Payment code, large, in a box.
    y -= 16 * mm
    pdf.setFont(fonts["regular"], 9)
    pdf.setFillGray(0.35)
    pdf.drawString(left, y + 9 * mm, label(slip.language, "payment_code"))
    pdf.setFillGray(0)
    pdf.roundRect(left, y - 4 * mm, 110 * mm, 12 * mm, 2 * mm)
    pdf.setFont(fonts["mono"], 18)
    pdf.drawString(left + 4 * mm, y, slip.rf_formatted)

    qr_size = 45 * mm
    payload = epc_payload(slip)
    if payload:
        qr_top = y + 12 * mm
        image = ImageReader(io.BytesIO(qr_png(payload, scale=8, border=4)))
        pdf.drawImage(image, right - qr_size, qr_top - qr_size, qr_size, qr_size)
        pdf.setFont(fonts["regular"], 8)
        caption = simpleSplit(label(slip.language, "scan"), fonts["regular"], 8, qr_size)
        for i, line in enumerate(caption):
            pdf.drawCentredString(right - qr_size / 2, qr_top - qr_size - (3 + 3.5 * i) * mm, line)

    y -= 16 * mm
    label_width = 38 * mm
    value_x = left + label_width + 3 * mm
    value_width = right - value_x - qr_size - 5 * mm
    for name, value in _rows(slip):
        names = simpleSplit(name, fonts["regular"], 9, label_width)
        values = [
            line
            for part in value.splitlines()
            for line in simpleSplit(part, fonts["regular"], 11, value_width) or [""]
        ]
        pdf.setFont(fonts["regular"], 9)
        pdf.setFillGray(0.35)
        for i, line in enumerate(names):
            pdf.drawString(left, y - i * 4 * mm, line)
        pdf.setFillGray(0)
        pdf.setFont(fonts["regular"], 11)
        for i, line in enumerate(values):
            pdf.drawString(value_x, y - i * 5.5 * mm, line)
        y -= max(len(names) * 4 * mm, len(values) * 5.5 * mm) + 2 * mm

    y -= 6 * mm
    pdf.setFont(fonts["regular"], 9)
    for note in _notes(slip):
        for line in simpleSplit(note, fonts["regular"], 9, right - left):
            pdf.drawString(left, y, line)
            y -= 4.5 * mm
        y -= 2 * mm

    pdf.showPage()
    pdf.save()
    return out.getvalue()
