"""Field addresses as users write them on the command line: ``salesforce:Opportunity.StageName``."""

from __future__ import annotations

import re

from crmdefs.definitions.crmfacts import standard_spelling
from crmdefs.definitions.model import Crm, FieldAddress
from crmdefs.errors import CrmdefsError

_ADDRESS = re.compile(r"^(salesforce|hubspot):([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)$")


def parse_address(text: str) -> FieldAddress:
    match = _ADDRESS.match(text.strip())
    if not match:
        raise CrmdefsError(
            f"'{text}' is not a field address — write salesforce:Object.Field or hubspot:objectType.property"
        )
    crm = Crm(match.group(1))
    dotted = f"{match.group(2)}.{match.group(3)}"
    obj, _, field = (standard_spelling(dotted) if crm is Crm.SALESFORCE else dotted).partition(".")
    return FieldAddress(crm, obj, field)
