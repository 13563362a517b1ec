"""crmdefs: revenue definitions as code for Salesforce and HubSpot."""

__version__ = "0.1.0"
