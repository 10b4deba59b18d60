"""Email alerts to staff: a new submission or request, announced with a link and nothing else.

`outbox` queues an alert in the transaction that saves what it announces; `sender` sends
queued alerts later, from `flask --app consult send-alerts`, retrying with backoff.
"""
