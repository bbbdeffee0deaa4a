"""Mail in and out: the transports that send, the parser that reads what arrives, what
a delivery report proves, and the signed one-click unsubscribe links."""
