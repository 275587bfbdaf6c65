"""An account's own code issued again and again (both DBs): each issue takes the next version."""

from __future__ import annotations

from sqlalchemy import event

from paydesk.accounts import service as accounts
from paydesk.accounts.service import ContractSpec
from paydesk.codes import layouts, rf
from paydesk.codes import service as codes


def test_account_codes_take_versions_in_turn_with_few_reads(db, settings):
    with db.transaction() as s:
        customer = accounts.create_customer(s, name="Often Paying")
        account = accounts.create_account(
            s,
            customer=customer,
            number="ACC-77",
            currency="EUR",
            customer_class="balance_forward",
            contracts=[ContractSpec("service")],
        )
        issued = [codes.issue_for_account(s, settings, account, actor="t").rf for _ in range(40)]
    expected = [
        rf.create(layouts.iso_reference(settings.rf_prefix, "account", "ACC-77", version))
        for version in range(1, 41)
    ]
    assert issued == expected

    selects: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.transaction() as s:
            account = accounts.get_account(s, account.id)
            selects.clear()
            code = codes.issue_for_account(s, settings, account, actor="t")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert code.rf == rf.create(layouts.iso_reference(settings.rf_prefix, "account", "ACC-77", 41))
    # The 41st version is found by doubling then halving, not by asking for each of 40.
    assert len(selects) <= 14
