"""Text limits of each CRM, in one table. Validation fails on text that the CRM would cut or refuse.

Sources (see docs/salesforce.md and docs/hubspot.md):
- Salesforce inline help text 510 and field description 1000: the limits of Salesforce's Setup UI
  (field edit page); no primary API page was found for 510, so docs mark it UNVERIFIED
  (docs/salesforce.md#sf-help-text-description-length).
- Salesforce picklist value description 255: CustomValue reference
  (docs/salesforce.md#sf-picklist-value-length),
  https://developer.salesforce.com/docs/atlas.en-us.264.0.api_meta.meta/api_meta/meta_customvalue.htm
- Salesforce picklist value API name and label 255: REST describe reports ``"length": 255`` for standard
  picklists (fixture rest_describe_Lead.json); an exact documented limit is UNVERIFIED (same entry).
- Salesforce field label 40 (docs/salesforce.md#sf-field-name-length): Salesforce KB 000381913 ("The current
  character limit for creating field names and labels is 40 characters").
- Salesforce validation rule error message 255: ValidationRule reference
  (docs/salesforce.md#sf-validation-rule).
- HubSpot: no documented length limits for property descriptions, labels or option descriptions were found
  (docs/hubspot.md#hs-text-limits-undocumented), so none are enforced; the API's own 400 VALIDATION_ERROR
  reports them.
"""

from __future__ import annotations

from crmdefs.definitions.model import Crm

# (crm, attribute) → maximum characters. Attributes: label, help_text, description (field level);
# value, value_label, value_description (picklist values).
LIMITS: dict[tuple[Crm, str], int] = {
    (Crm.SALESFORCE, "help_text"): 510,
    (Crm.SALESFORCE, "description"): 1000,
    (Crm.SALESFORCE, "label"): 40,
    (Crm.SALESFORCE, "value"): 255,
    (Crm.SALESFORCE, "value_label"): 255,
    (Crm.SALESFORCE, "value_description"): 255,
    # a validation rule's errorMessage: a requirement's message (docs/salesforce.md#sf-validation-rule)
    (Crm.SALESFORCE, "validation_message"): 255,
}

CRM_NAMES = {Crm.SALESFORCE: "Salesforce", Crm.HUBSPOT: "HubSpot"}


def limit_for(crm: Crm, attribute: str) -> int | None:
    return LIMITS.get((crm, attribute))
