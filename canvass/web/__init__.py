"""Blueprints, one per area of the product: thin views that parse, call a service and render."""
