"""Coaching data for the demo and the benchmark, apart from the commands that write it.

``scale`` bulk-inserts coaching series, sessions and finished cycles onto the scale boards
``boards.demo.scale`` made; ``manage.py seed_scale_coaching`` and ``manage.py bench`` call it.
"""
