"""The people's pages: server-rendered HTML with a little JavaScript, on the same API.

Each page is a Jinja template (``templates/``) rendered in the reader's language (zh-CN first,
English one click away, remembered in a cookie), with small ES modules (``static/``) that call
the service's own endpoints with the signed-in account's bearer token, so the pages have exactly
the roles and checks every other client has. Third-party assets (Leaflet, jsQR, axe-core) come
from the npm packages installed at setup (``package.json``) and are served by shuyun itself:
nothing is fetched from the internet at run time.

``install_web(app, settings.web)`` adds the asset folders and each page module's ``router``
(listed in :func:`api.web.assets.install_web`); a page renders with :func:`api.web.pages.render`.
"""

from api.web.assets import install_web

__all__ = ["install_web"]
