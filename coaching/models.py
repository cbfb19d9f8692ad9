# Coaching sessions, cycles and reminders arrive with the coaching issue.
