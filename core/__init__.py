"""Ground floor: network, people, scoping, the clock and calendar, routing, waybill format, message centre, shared kits."""
