"""Side effects: HTTP, the CRM store, mail transports, and the activity wrappers around them."""
