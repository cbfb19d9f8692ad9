"""What ``manage.py bench`` needs besides the command: the floor view and the locust users."""
