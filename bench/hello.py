"""The ceiling: the least a Flask app can do, served exactly as the real one is."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello"
