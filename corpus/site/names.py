"""The names the site is published under, for every module of the site to share.

They live apart from the plugin so that the views, the plugin and ``serve`` can all import them
without importing one another.
"""

DB_NAME = "normdocs"  # the name the library is published under, whatever its file is called
STATIC_MOUNT = "assets"  # corpus/site/static is served at /assets/ (see corpus.site.serve)
