"""A local stand-in for Salesforce and HubSpot: HTTPS servers on 127.0.0.1 speaking the subset of the real
APIs crmdefs uses, with the real response shapes (tests/fixtures/) and the real constraints.

It is an independent implementation of the CRMs' behaviour: it imports nothing from crmdefs' adapters and
they import nothing from it, so a misunderstanding of an API is not shared by both sides and can be caught.
"""
