"""Ground floor: network, people, scoping, the SLA clock and the message centre; later the site's operations on orders."""
