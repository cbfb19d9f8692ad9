"""Names the demo, the scale data and the commands and tests built on them share."""

DEMO_PASSWORD = "kata-demo-2026"

LINE_3 = "line-3-assembly"
SERVICE = "customer-service"
WAREHOUSE = "warehouse-picking"
DEMO_TEAM_SLUGS = (LINE_3, SERVICE, WAREHOUSE)

SCALE_SLUG_PREFIX = "scale-"
SCALE_SLUG_PATTERN = r"^scale-[0-9]+$"
# Rows per INSERT. Django lowers it further on SQLite to stay under its variable limit.
BATCH = 2000
