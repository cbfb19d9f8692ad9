"""Every write to coaching data goes through these modules, one per domain.

``preferences`` (time zone, reminders, calendar address), ``scheduling`` (series and their
sessions), ``cycles`` (the coaching cycle, step by step) and ``observations`` (the second
coach). Callers import a function from its module; nothing is re-exported here. Reads that
several callers share live in ``coaching.selectors``.
"""
