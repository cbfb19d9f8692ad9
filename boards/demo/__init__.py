"""Demo and scale data, apart from the commands that write it.

``story`` is the demo as data (people, teams, storyboards and their history) and the words the
scale data is made of; ``replay`` plays the story through the boards services in time order;
``scale`` bulk-inserts generated data for load tests; ``constants`` holds the names other
commands and tests share. ``manage.py seed_demo`` parses its options and calls them.
"""
