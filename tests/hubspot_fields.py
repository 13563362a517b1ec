"""The HubSpot field addresses the adapter tests use, as in the seeded portal and the recordings in
tests/fixtures/hubspot/.
"""

from __future__ import annotations

from crmdefs.definitions.model import Crm, FieldAddress

LEAD_STATUS = FieldAddress(Crm.HUBSPOT, "contacts", "hs_lead_status")
LIFECYCLE = FieldAddress(Crm.HUBSPOT, "contacts", "lifecyclestage")
SOURCE = FieldAddress(Crm.HUBSPOT, "contacts", "hs_analytics_source")
DETAIL = FieldAddress(Crm.HUBSPOT, "contacts", "lead_source_detail")
DEALSTAGE = FieldAddress(Crm.HUBSPOT, "deals", "dealstage")
DEALTYPE = FieldAddress(Crm.HUBSPOT, "deals", "dealtype")
LOST_TEXT = FieldAddress(Crm.HUBSPOT, "deals", "closed_lost_reason")
LOST_CODE = FieldAddress(Crm.HUBSPOT, "deals", "closed_lost_code")
