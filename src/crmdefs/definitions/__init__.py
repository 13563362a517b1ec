"""The definitions: YAML source with locations, the format and its schema language, the glossary model,
checks, CRM limits and facts, changelog rules.
"""
