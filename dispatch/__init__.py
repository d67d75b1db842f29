"""The site's and HQ's operations on orders and their pages; stands on core and orders."""
