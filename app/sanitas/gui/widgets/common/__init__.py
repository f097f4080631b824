"""Widgets more than one panel uses: the message bar, the bar chart, parameter fields."""
