"""Excel export of exactly what a list shows (its filtered queryset), streamed in write-only mode through the
spreadsheet kit (``core.sheets``): text cells are never formulas and never hold illegal characters,
times are typed Beijing-time dates, the header is frozen and the sheet named."""
from .sheets import csv_response, xlsx_response

__all__ = ["csv_response", "xlsx_response"]
