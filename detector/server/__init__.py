"""`unspin serve`: a LanguageTool-compatible HTTP API, unspin's own JSON API and a web page.

`app.py` holds the routes, limits and pipeline pool; `languagetool.py` converts between
LanguageTool's request and match format and unspin's findings; `static/` is the page.
"""
