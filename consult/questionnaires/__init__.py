"""Questionnaires described as data and read by one runner.

`model` says what a question can be, `definitions` holds every questionnaire and version,
`runner` turns a submitted form into checked answers and saves them.
"""
