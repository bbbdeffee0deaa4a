"""The activity classes, the steps workflows call: each wraps adapters (taken as
constructor arguments) with heartbeats and error mapping; `factory` builds them from
settings, `limits` guards them, `postbox` is the one send path."""
