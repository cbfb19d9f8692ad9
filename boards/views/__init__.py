"""The storyboard's pages: one page, each section editable in place with htmx.

``reading`` serves the team page, the board and its sections, the live poll and the history;
``targets``, ``obstacles`` and ``experiments`` write to the board through the services; ``base``
holds what they share (the board for the reader, and how a write is answered).
"""
