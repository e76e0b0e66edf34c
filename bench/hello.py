"""A bare Flask hello-world, served by the same gunicorn as Canvass to give the HTTP benchmark its yardstick."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hei"
