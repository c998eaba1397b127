"""A tiny web service used as hardfile's lint and fix example."""

from flask import Flask

app = Flask(__name__)


@app.get("/healthz")
def healthz():
    return "ok"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8080)
