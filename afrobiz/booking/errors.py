"""The booking domain's specific errors (each an ordinary kind from afrobiz.errors)."""
from __future__ import annotations

from afrobiz.booking.availability import SlotProblem
from afrobiz.errors import Conflict, InvalidInput

_REASONS = {
    SlotProblem.OUTSIDE_HOURS: "That time is outside the service's hours.",
    SlotProblem.OFF_GRID: "That time is not one of the offered slot times.",
    SlotProblem.TOO_SOON: "That time is too soon: this service must be booked further ahead.",
    SlotProblem.TOO_FAR: "That time is too far ahead: this service cannot be booked that early.",
    SlotProblem.CLOSED: "The business is closed on that day.",
    SlotProblem.FULL: "That slot has just been taken. Please pick another time.",
}


class SlotUnavailable(Conflict):
    """The requested slot cannot be booked; `problem` says why (SlotProblem)."""

    title = "Slot unavailable"

    def __init__(self, problem: SlotProblem = SlotProblem.FULL):
        self.problem = problem
        super().__init__(f"{_REASONS[problem]} ({problem.value})",
                         errors=[{"field": "booking_time", "message": problem.value}])


class TransitionNotAllowed(Conflict):
    """The state machine or the caller's role forbids this status change."""

    title = "Status change not allowed"


class CancellationDeadlinePassed(TransitionNotAllowed):
    title = "Cancellation deadline passed"


class IdempotencyMismatch(InvalidInput):
    """The same Idempotency-Key was sent with another body."""

    title = "Idempotency-Key reused"
