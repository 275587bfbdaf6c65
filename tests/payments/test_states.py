import pytest

from paydesk.errors import InvalidInput, InvalidTransition
from paydesk.payments.states import (
    PaymentAction,
    PaymentStatus,
    ServiceTaskStatus,
    TenderStatus,
    allowed_actions,
    allowed_targets,
    require_action,
    transition,
)

P = PaymentStatus
A = PaymentAction


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (P.INCOMPLETE, P.FREEZABLE),
        (P.INCOMPLETE, P.ERROR),
        (P.ERROR, P.FREEZABLE),
        (P.ERROR, P.ERROR),
        (P.FREEZABLE, P.ERROR),
        (P.FREEZABLE, P.FROZEN),
    ],
)
def test_payment_moves_along_distribute_and_freeze(current, target):
    assert transition(current, target) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (P.INCOMPLETE, P.FROZEN),
        (P.ERROR, P.FROZEN),
        (P.FROZEN, P.FREEZABLE),
        (P.FROZEN, P.ERROR),
        (P.CANCELLED, P.INCOMPLETE),
        (P.CANCELLED, P.FROZEN),
    ],
)
def test_payment_cannot_skip_distribution_or_leave_frozen_except_by_cancel(current, target):
    with pytest.raises(InvalidTransition, match=f"from {current} to {target}"):
        transition(current, target)


def test_frozen_payment_is_cancelled_only_with_a_reason():
    assert transition(P.FROZEN, P.CANCELLED, reason="cheque bounced") is P.CANCELLED
    with pytest.raises(InvalidInput, match="reason"):
        transition(P.FROZEN, P.CANCELLED)
    with pytest.raises(InvalidInput, match="reason"):
        transition(P.FROZEN, P.CANCELLED, reason="  ")


def test_payment_not_yet_frozen_may_be_cancelled_with_a_reason():
    assert transition(P.INCOMPLETE, P.CANCELLED, reason="bank account rejected") is P.CANCELLED


def test_cancelled_payment_is_final():
    assert allowed_targets(P.CANCELLED) == frozenset()
    assert allowed_actions(P.CANCELLED) == frozenset()
    with pytest.raises(InvalidTransition, match="final"):
        transition(P.CANCELLED, P.FROZEN)


@pytest.mark.parametrize("status", [P.INCOMPLETE, P.ERROR, P.FREEZABLE])
def test_redistribute_and_delete_only_before_freezing(status):
    require_action(status, A.DISTRIBUTE)
    require_action(status, A.DELETE)
    require_action(status, A.EDIT)


@pytest.mark.parametrize("action", [A.DISTRIBUTE, A.DELETE, A.EDIT, A.FREEZE])
def test_frozen_payment_allows_only_cancel(action):
    assert allowed_actions(P.FROZEN) == {A.CANCEL}
    with pytest.raises(InvalidTransition, match="can only be cancelled"):
        require_action(P.FROZEN, action)


def test_only_a_freezable_payment_may_be_frozen():
    require_action(P.FREEZABLE, A.FREEZE)
    for status in (P.INCOMPLETE, P.ERROR, P.CANCELLED):
        with pytest.raises(InvalidTransition):
            require_action(status, A.FREEZE)


def test_tender_is_cancelled_with_a_reason_and_stays_cancelled():
    assert transition(TenderStatus.VALID, TenderStatus.CANCELLED, reason="wrong amount")
    with pytest.raises(InvalidInput):
        transition(TenderStatus.VALID, TenderStatus.CANCELLED)
    with pytest.raises(InvalidTransition):
        transition(TenderStatus.CANCELLED, TenderStatus.VALID)


@pytest.mark.parametrize(
    "target", [ServiceTaskStatus.COMPLETED, ServiceTaskStatus.REJECTED, ServiceTaskStatus.ERROR]
)
def test_service_task_ends_completed_rejected_or_in_error(target):
    assert transition(ServiceTaskStatus.PENDING, target) is target
    with pytest.raises(InvalidTransition, match="service task"):
        transition(target, ServiceTaskStatus.PENDING)


def test_statuses_of_different_kinds_do_not_mix():
    # "error" is both a payment and a service task status; each keeps its own rules.
    assert P.FREEZABLE in allowed_targets(P.ERROR)
    assert allowed_targets(ServiceTaskStatus.ERROR) == frozenset()
    with pytest.raises(TypeError):
        transition(P.ERROR, ServiceTaskStatus.COMPLETED)
