"""The managers' dashboard: every active storyboard a user may see, with the state of its practice.

A page costs the same few queries whether a user sees three storyboards or three thousand:
the filter lists (teams, coaches, learners, which also name the rows), the page's ids in the
chosen order with the count and the figure that order is on (joining only what that order and
the filters need), every other per-row figure for those ids as joins and correlated subqueries
of one query, with the sparklines on PostgreSQL (elsewhere in one more query with a window
function). The CSV export streams the same rows.

It shows the practice and where help is needed; it does not score or rank learners.

- ``columns``: what the table shows and sorts by, and the quick filters.
- ``filters``: the filter form read from the query string, and who may see which boards.
- ``queries``: the per-row figures as joins and correlated subqueries, and the search.
- ``page``: ``Dashboard``, one user's filtered, sorted and paged rows.
- ``rows``: a row as read and what it shows, worked out in Python.
- ``markup``: the table's rows, its header and the filters' options, written as HTML.
- ``sparklines``: the last values of each row's process metric as a tiny SVG line.
- ``export``: the same rows as CSV.
"""
