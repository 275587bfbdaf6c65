"""Read what the payment planner needs from storage: the debts of many accounts at once."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from paydesk.accounts.models import Account, Contract
from paydesk.db.bulk import among_param
from paydesk.documents.models import Document
from paydesk.ledger.models import LedgerEntry
from paydesk.payments.debts import AccountDebts, ChargedDocument, ContractTerms

__all__ = ["debts_from", "debts_read", "load_debts"]


def load_debts(
    session: Session, accounts: Iterable[Account | tuple[int, str, str]]
) -> dict[int, AccountDebts]:
    """The debts of each account, by account id, read in two statements for all of them.

    ``accounts`` are ``Account`` rows or ``(id, currency, customer class)`` tuples; lock them
    first when the debts are used to post.
    """
    heads = _heads(accounts)
    if not heads:
        return {}
    session.flush()  # rows added in this session count too
    statement, params = debts_read(session.get_bind().dialect.name, list(heads))
    return _assembled(session, heads, session.connection().execute(statement, params))


def debts_read(dialect: str, account_ids: list[int]) -> tuple[Select, dict[str, list[int]]]:
    """The first of :func:`load_debts`'s statements (contracts and ledger sums), to be sent
    with other reads (:func:`paydesk.db.batch.read_together`); :func:`debts_from` takes its
    rows."""
    return _contracts_and_sums_query(dialect), {"ids": account_ids}


def debts_from(
    session: Session,
    accounts: Iterable[Account | tuple[int, str, str]],
    rows: Iterable[tuple],
) -> dict[int, AccountDebts]:
    """:func:`load_debts` from the rows of :func:`debts_read` (the charged documents they name
    are read here, one statement when there are any)."""
    return _assembled(session, _heads(accounts), rows)


def _assembled(
    session: Session, heads: dict[int, tuple[str, str]], rows: Iterable[tuple]
) -> dict[int, AccountDebts]:
    ids = list(heads)
    dialect = session.get_bind().dialect.name
    contracts, sums, document_ids = _contracts_and_sums(ids, rows)
    documents = _charged_documents(session, dialect, ids, document_ids)
    return {
        account_id: AccountDebts(
            account_id,
            currency,
            customer_class,
            tuple(contracts[account_id]),
            documents[account_id],
            sums[account_id],
        )
        for account_id, (currency, customer_class) in heads.items()
    }


def _heads(accounts: Iterable[Account | tuple[int, str, str]]) -> dict[int, tuple[str, str]]:
    """Currency and customer class by account id."""
    heads: dict[int, tuple[str, str]] = {}
    for account in accounts:
        if isinstance(account, Account):
            heads[account.id] = (account.currency, account.customer_class)
        else:
            heads[account[0]] = (account[1], account[2])
    return heads


@cache
def _contracts_and_sums_query(dialect: str) -> Select:
    """Each contract of the accounts ``:ids`` with its ledger sum per document (built once:
    building it cost about a millisecond a call)."""
    sums = (
        select(
            LedgerEntry.contract_id,
            LedgerEntry.document_id,
            func.sum(LedgerEntry.amount_minor).label("total"),
        )
        .where(among_param(dialect, LedgerEntry.account_id, "ids"))
        .group_by(LedgerEntry.contract_id, LedgerEntry.document_id)
        .subquery()
    )
    return (
        select(
            Contract.id,
            Contract.account_id,
            Contract.contract_type,
            Contract.payment_priority,
            Contract.is_overpayment,
            sums.c.document_id,
            sums.c.total,
        )
        .outerjoin(sums, sums.c.contract_id == Contract.id)
        .where(among_param(dialect, Contract.account_id, "ids"))
        .order_by(Contract.id)
    )


@cache
def _documents_query(dialect: str) -> Select:
    """The charged documents ``:ids`` as the planner sees them (built once)."""
    return select(
        Document.id,
        Document.account_id,
        Document.number,
        Document.contract_id,
        Document.issue_date,
        Document.due_date,
    ).where(among_param(dialect, Document.id, "ids"))


def _contracts_and_sums(
    ids: list[int], rows: Iterable[tuple]
) -> tuple[dict[int, list[ContractTerms]], dict[int, dict[tuple[int, int | None], int]], set[int]]:
    """The accounts' contracts and their ledger sums per document (the rows of one
    statement): the contracts and the sums by account, and the documents the sums name."""
    contracts: dict[int, list[ContractTerms]] = {i: [] for i in ids}
    sums: dict[int, dict[tuple[int, int | None], int]] = {i: {} for i in ids}
    document_ids: set[int] = set()
    last = None
    for row in rows:
        contract_id, account_id, contract_type, priority, overpayment, document_id, total = row
        if contract_id != last:
            contracts[account_id].append(
                ContractTerms(contract_id, contract_type, priority, overpayment)
            )
            last = contract_id
        if total is not None:
            sums[account_id][(contract_id, document_id)] = int(total)
            if document_id is not None:
                document_ids.add(document_id)
    return contracts, sums, document_ids


def _charged_documents(
    session: Session, dialect: str, ids: list[int], document_ids: set[int]
) -> dict[int, dict[int, ChargedDocument]]:
    """The documents the ledger sums name, by account and id (one statement)."""
    documents: dict[int, dict[int, ChargedDocument]] = {i: {} for i in ids}
    if not document_ids:
        return documents
    for row in session.connection().execute(_documents_query(dialect), {"ids": list(document_ids)}):
        documents[row.account_id][row.id] = ChargedDocument(
            row.id, row.number, row.contract_id, row.issue_date, row.due_date
        )
    return documents
