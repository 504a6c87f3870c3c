"""Actions: the only way state changes. Each checks, writes to the store, then tells people.

Edges (socket.io handlers, REST views, the CLI) parse and authenticate, then call one action.
An action raises a :class:`hub.errors.HubError` before writing anything when the request is
refused, so a refused request changes nothing. One module per domain; :mod:`.perform` carries
out the routing engine's decisions and is the only one the router calls.
"""
