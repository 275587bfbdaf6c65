"""Change a customer, their account and its contracts on one page (as ``PATCH
/v1/customers/{id}``, ``/v1/accounts/{id}`` and ``/v1/contracts/{id}``, and ``POST
/v1/accounts/{id}/contracts`` for a new contract): the same service functions and checks, in
one transaction; a refusal is shown by its field, keeps what was typed and changes nothing."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData

from paydesk.accounts import service as accounts
from paydesk.accounts.models import Account, Contract, Customer
from paydesk.auth.roles import BACK_OFFICE
from paydesk.errors import Conflict, InvalidInput
from paydesk.web.labels import CLASSES, CONTRACT_TYPES
from paydesk.web.pages import PageRoute, Web, form, page, posted_form
from paydesk.web.views.accounts import LANGUAGES, customer_account_errors

router = APIRouter(route_class=PageRoute, include_in_schema=False)

CUSTOMER_FIELDS = ("customer_name", "customer_kind", "email", "language", "address", "tax_id")
NONE = "none"  # the overpayment choice "no contract takes overpayments"


def _load(web: Web, account_id: int) -> tuple[Account, Customer, list[Contract]]:
    with web.db.reading() as s:
        account = accounts.get_account(s, account_id)
        customer = accounts.get_customer(s, account.customer_id)
        return account, customer, accounts.contracts_of(s, account_id)


def _stored_values(account: Account, customer: Customer, contracts: list[Contract]) -> dict:
    values = {
        "customer_name": customer.name,
        "customer_kind": customer.kind,
        "email": customer.email or "",
        "language": customer.language,
        "address": customer.address or "",
        "tax_id": customer.tax_id or "",
        "number": account.number,
        "customer_class": account.customer_class,
        "overpayment": next((str(c.id) for c in contracts if c.is_overpayment), NONE),
    }
    for c in contracts:
        values |= {
            f"k{c.id}_type": c.contract_type,
            f"k{c.id}_priority": str(c.payment_priority),
            f"k{c.id}_description": c.description,
        }
    return values


def _render(web: Web, account_id: int, values: dict, errors: dict, status: int = 200):
    account, customer, contracts = _load(web, account_id)
    return web.render(
        "accounts/edit.html",
        status=status,
        account=account,
        customer=customer,
        contracts=contracts,
        values=values or _stored_values(account, customer, contracts),
        errors=errors,
        class_options=[(c.value, web._(CLASSES[c.value])) for c in accounts.CustomerClass],
        languages=LANGUAGES,
        overpayment_options=[
            (NONE, web._("None: an overpayment is an error")),
            *((str(c.id), _contract_label(web, c)) for c in contracts),
            ("new", web._("The new contract")),
        ],
    )


def _contract_label(web: Web, contract: Contract) -> str:
    kind = contract.contract_type
    label = web._(CONTRACT_TYPES[kind]) if kind in CONTRACT_TYPES else kind
    return f"{label} — {contract.description}" if contract.description else label


@router.get("/accounts/{account_id}/edit", name="web.account_edit")
def edit_form(account_id: int, web: Web = Depends(page(BACK_OFFICE))):
    return _render(web, account_id, {}, {})


def _priority(web: Web, text: str, field: str, errors: dict[str, str]) -> int:
    if not text.isdigit() or int(text) > 999:
        errors[field] = web._("Enter a whole number from 0 to 999.")
        return 0
    return int(text)


def _read(web: Web, posted: FormData, contracts: list[Contract]) -> tuple[dict, dict]:
    """What was typed and the errors by field (the checks a person can fix before saving)."""
    names = [*CUSTOMER_FIELDS, "number", "customer_class", "overpayment"]
    names += ["new_type", "new_priority", "new_description"]
    names += [f"k{c.id}_{part}" for c in contracts for part in ("type", "priority", "description")]
    values = {name: str(posted.get(name) or "").strip()[:200] for name in names}
    errors = customer_account_errors(web, values)
    if values["language"] not in LANGUAGES:
        errors["language"] = web._("Choose a language.")
    if values["customer_kind"] not in ("person", "company"):
        errors["customer_kind"] = web._("Choose person or company.")
    for c in contracts:
        if not values[f"k{c.id}_type"]:
            errors[f"k{c.id}_type"] = web._("Enter the contract type.")
        _priority(web, values[f"k{c.id}_priority"], f"k{c.id}_priority", errors)
    if values["new_type"]:
        _priority(web, values["new_priority"] or "50", "new_priority", errors)
    if values["overpayment"] not in {NONE, "new", *(str(c.id) for c in contracts)}:
        values["overpayment"] = NONE
    if values["overpayment"] == "new" and not values["new_type"]:
        errors["new_type"] = web._("Enter the contract type.")
    return values, errors


def _save(s, account: Account, contracts: list[Contract], v: dict) -> None:
    """The changes, through the same service functions as the API; overpayments move to the
    chosen contract (the old one is released first, so one contract at most takes them)."""
    accounts.update_customer(
        s,
        account.customer_id,
        name=v["customer_name"],
        kind=v["customer_kind"],
        email=v["email"] or None,
        language=v["language"],
        address=v["address"] or None,
        tax_id=v["tax_id"] or None,
    )
    accounts.update_account(s, account.id, number=v["number"], customer_class=v["customer_class"])
    ordered = sorted(contracts, key=lambda c: str(c.id) == v["overpayment"])  # release first
    for c in ordered:
        accounts.update_contract(
            s,
            c.id,
            contract_type=v[f"k{c.id}_type"],
            payment_priority=int(v[f"k{c.id}_priority"]),
            description=v[f"k{c.id}_description"],
            is_overpayment=str(c.id) == v["overpayment"],
        )
    if v["new_type"]:
        spec = accounts.ContractSpec(
            v["new_type"],
            int(v["new_priority"] or "50"),
            v["overpayment"] == "new",
            v["new_description"],
        )
        accounts.add_contract(s, accounts.get_account(s, account.id), spec)


@router.post("/accounts/{account_id}/edit", name="web.account_update")
def save(
    account_id: int,
    posted: FormData = Depends(posted_form),
    web: Web = Depends(form(BACK_OFFICE)),
):
    account, _customer, contracts = _load(web, account_id)
    values, errors = _read(web, posted, contracts)
    if not errors:
        try:
            with web.db.transaction() as s:
                _save(s, account, contracts, values)
        except Conflict:
            errors["number"] = web._("Account number %(number)s is taken.", number=values["number"])
        except InvalidInput as refused:
            errors["customer_name"] = web.explain(refused)
    if errors:
        return _render(web, account_id, values, errors, status=422)
    return web.redirect(
        web.url("web.account", account_id=account_id),
        flash=web._("Account %(number)s saved.", number=values["number"]),
    )
