"""Review: the glossary's lifecycle findings (overdue, stale, unowned) and their report."""
