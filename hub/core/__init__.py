"""The pure core: routing, identity rules, reports. No I/O, no clock, no await."""
