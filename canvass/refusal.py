"""A refusal: why something asked of the app was not done, as a message in bokmål with its values.

Flask-free, so the geography, services and command line raise it alike; whoever shows it translates
`message` with `params` (the web through Flask-Babel in canvass/web/refusals.py, the command line
in canvass/cli.py). `N_` marks a message for extraction without translating it where it is written.
Each area subclasses `Refusal` where its callers need to tell its refusals apart.
"""


def N_(message: str) -> str:
    return message


class Refusal(Exception):
    """Nothing was stored; `message` (marked with N_) and `params` say why, in the reader's language once shown."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
