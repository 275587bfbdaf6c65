"""The search box in the header: one field for codes, documents, accounts and customers,
cheques, bank references, payers and IBANs (see :mod:`paydesk.reporting.search`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import select

from paydesk.accounts.models import Account
from paydesk.reporting import search
from paydesk.web.pages import PageRoute, Web, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/search", name="web.search")
def search_page(q: str = "", web: Web = Depends(page())):
    query = " ".join(q.split())[: search.MAX_QUERY]
    with web.db.reading() as s:
        hits = search.find(s, query, secret=web.settings.secret_key)
        numbers: dict[int, str] = {}
        if hits.tenders or hits.payments:
            ids = {t.payer_account_id for t in hits.tenders if t.payer_account_id}
            ids |= {p.account_id for p in hits.payments}
            rows = s.execute(select(Account.id, Account.number).where(Account.id.in_(ids)))
            numbers = {account_id: number for account_id, number in rows}
    return web.render("search.html", q=query, hits=hits, numbers=numbers)
