"""Apply: the plan → write → record workflow, its execution through the adapters, backups and the applied
state drift reads.
"""
