"""Tracking events per waybill, exceptions, partner carriers and label printing."""
