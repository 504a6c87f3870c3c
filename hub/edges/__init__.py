"""The edges: socket.io (realtime), REST and static files (http), parse and authenticate."""
