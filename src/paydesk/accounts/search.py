"""Finding customers by name without regard to case or accents, in Greek too.

A name is *folded* — decomposed (NFKD), accents dropped, case folded (so ``ς`` becomes ``σ``) —
and each of its words is stored as a term (:class:`~paydesk.accounts.models.CustomerNameTerm`).
A query is folded the same way; a customer matches when each query word is the start of one
of its terms. Each word is one range of the terms index, so a search stays fast with millions
of customers, on SQLite and PostgreSQL alike.

>>> fold("Γιώργος ΠΑΠΑΔΌΠΟΥΛΟΣ")
'γιωργοσ παπαδοπουλοσ'
>>> sorted(terms("Łukasz Żółć-Nowak"))
['lukasz', 'nowak', 'zolc']
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import Select, delete, insert, select
from sqlalchemy.orm import Session

from paydesk.accounts.models import Customer, CustomerNameTerm

#: Letters that do not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d"})
_WORD = re.compile(r"\w+")
#: Above every character: ``term < prefix + _TOP`` bounds the terms starting with ``prefix``.
_TOP = "\U0010ffff"
TERM_LENGTH = 100
MAX_WORDS = 5


def fold(text: str) -> str:
    """``text`` without accents, case folded, with single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    return [w[:TERM_LENGTH] for w in _WORD.findall(fold(text).replace("_", " "))]


def terms(name: str) -> set[str]:
    """The terms a name is found by."""
    return set(words(name))


def index_customer(session: Session, customer: Customer) -> None:
    """(Re)write the name terms of ``customer`` (call after creating or renaming it)."""
    session.execute(delete(CustomerNameTerm).where(CustomerNameTerm.customer_id == customer.id))
    rows = [{"customer_id": customer.id, "term": t} for t in sorted(terms(customer.name))]
    if rows:
        session.execute(insert(CustomerNameTerm), rows)


def matching(query: str) -> Select | None:
    """``SELECT customer_id`` of the customers whose name has a word starting with each word
    of ``query`` (ignoring case and accents); ``None`` when the query has no word."""
    wanted = sorted(set(words(query)), key=len, reverse=True)[:MAX_WORDS]
    if not wanted:
        return None
    # The longest word is the most selective: it drives (one range of the terms index), and
    # each other word is one probe of the primary key (customer_id, term) per candidate, so a
    # search stops as soon as it has enough rows however common its words are.
    first = CustomerNameTerm.__table__.alias("first_word")
    stmt = select(first.c.customer_id).where(
        first.c.term >= wanted[0], first.c.term < wanted[0] + _TOP
    )
    for n, word in enumerate(wanted[1:]):
        other = CustomerNameTerm.__table__.alias(f"word_{n}")
        stmt = stmt.where(
            select(other.c.customer_id)
            .where(
                other.c.customer_id == first.c.customer_id,
                other.c.term >= word,
                other.c.term < word + _TOP,
            )
            .exists()
        )
    return stmt


def find_customer_ids(session: Session, query: str, *, limit: int) -> list[int]:
    """Ids of up to ``limit`` customers :func:`matching` ``query``, lowest id first."""
    stmt = matching(query)
    if stmt is None:
        return []
    found = list(dict.fromkeys(session.scalars(stmt.limit(limit * MAX_WORDS))))
    return sorted(found)[:limit]
