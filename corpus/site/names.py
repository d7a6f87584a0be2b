"""The names the site is published under, for every module of the site to share.

They live apart from the plugin so that the views, the plugin and ``serve`` can all import them
without importing one another.
"""

DB_NAME = "normdocs"  # the name the library is published under, whatever its file is called
SITE_NAME = "规范性文件库"  # what the feeds' titles begin with
STATIC_MOUNT = "assets"  # corpus/site/static is served at /assets/ (see corpus.site.serve)
