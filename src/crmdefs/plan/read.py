"""Reading what the CRMs hold for the bound fields: the actual state the diff compares with."""

from __future__ import annotations

from collections.abc import Sequence

from crmdefs.adapters.base import Progress, reading_pool
from crmdefs.connect import Connected
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.plan.state import DesiredField, FieldState


def read_states(
    connected: Connected, fields: Sequence[DesiredField], progress: Progress
) -> dict[FieldAddress, FieldState]:
    """Both CRMs are read at the same time: their limits are separate, so neither waits for the other."""
    jobs = {crm: [f for f in fields if f.address.crm is crm] for crm in Crm}
    jobs = {crm: wanted for crm, wanted in jobs.items() if wanted}
    adapters = {crm: connected.adapter(crm) for crm in jobs}  # a missing CRM section fails before any call
    states: dict[FieldAddress, FieldState] = {}
    if len(jobs) < 2:
        for crm, wanted in jobs.items():
            states.update(adapters[crm].read(wanted, progress))
        return states
    with reading_pool(len(jobs)) as pool:
        futures = [pool.submit(adapters[crm].read, wanted, progress) for crm, wanted in jobs.items()]
        for future in futures:
            states.update(future.result())  # the first failure is raised, in CRM order
    return states
