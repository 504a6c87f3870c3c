"""The pure core: routing, identity rules, TURN credentials, reports. No I/O, no clock, no await."""
