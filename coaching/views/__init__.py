"""Coaching pages: scheduling, the coach's day, the coaching cycle beside the board, feedback.

Every page is scoped through ``coaching.access`` (built on ``boards.access``): outside the
storyboard's team it does not exist (404); a read-only role may look but not change (403).
Forms are plain HTML forms that redirect after a save, run through ``boards.forms.submit``; the
coaching cycle also answers htmx with the updated cycle in place.
"""
