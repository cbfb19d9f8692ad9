"""Every write to teams and storyboards goes through these functions, one module per domain.

Each one runs in a transaction, writes what changed to the storyboard's append-only activity
log in that same transaction, and bumps the board's revision so open browsers see the change.
Editable rows carry a version: an update names the version it started from and is refused with
``Conflict`` if someone else saved in between. ``base`` holds what both apps' services share.
Callers import from the domain module: ``from boards.services.obstacles import obstacle_add``.
"""
