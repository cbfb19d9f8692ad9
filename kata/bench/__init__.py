"""``manage.py bench``, apart from the command that parses its options.

``data`` builds or reuses the scale data and picks the boards and people; ``endpoints`` lists
the pages timed and their targets; ``timing`` times them in-process against the floor view of
``urls`` and writes the dashboard's query plans; ``load`` runs gunicorn and drives it with
locust (``locustfile``, loaded by path); ``machine`` describes what it all ran on; ``report``
writes the table and the files under ``var/bench/``.
"""
