"""Site stock of consumables and e-waybill number ranges."""
