"""The HubSpot adapter: properties and pipelines, its property mapping and its rate limiting."""
