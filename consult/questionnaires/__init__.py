"""Questionnaires described as data and read by one runner.

`model` says what a question can be, `definitions` holds every questionnaire and version,
`runner` walks them and reads each answer from a sent form, `reading` lays a response out
for staff. Nothing here saves: that is `consult.submissions`.
"""
