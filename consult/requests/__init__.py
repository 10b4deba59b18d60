"""Requests for help: made by a child or anyone on the public form, followed by staff.

`workflow` holds the state machine and the queries; `access` says who sees what.
"""
