"""Order handlers for the orders app."""
